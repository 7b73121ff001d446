// Image references allowed for image deploys, an image's processes and their precedence, and the pure
// helpers of the build runner (stage labels, secret masking).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  imageProcesses,
  parseImageRef,
  processesFromImage,
  shellQuote,
} from "../../../src/build/image-source.js";
import { labelStages, masker } from "../../../src/build/build-run.js";
import { platformDockerfile } from "../../../src/build/app-image.js";
import { BadRequestError } from "../../../src/domain/errors.js";

test("image references are split into registry domain and the rest; bad ones are 400s", () => {
  assert.deepEqual(parseImageRef("10.0.0.1:5000/app:v1"), {
    domain: "10.0.0.1:5000",
    ref: "10.0.0.1:5000/app:v1",
  });
  assert.deepEqual(parseImageRef("localhost/x/y:1.0"), { domain: "localhost", ref: "localhost/x/y:1.0" });
  assert.deepEqual(parseImageRef("busybox"), { ref: "busybox" });
  assert.deepEqual(parseImageRef("team/app:latest"), { ref: "team/app:latest" });
  const digest = `sha256:${"a".repeat(64)}`;
  assert.deepEqual(parseImageRef(`reg.example:443/app@${digest}`), {
    domain: "reg.example:443",
    ref: `reg.example:443/app@${digest}`,
  });
  assert.deepEqual(parseImageRef(digest), { ref: digest });
  for (const bad of ["", "UPPER/x", "a b", "x:bad tag", "x@sha256:zz", "../x", "x/:1", "-x"]) {
    assert.throws(() => parseImageRef(bad), BadRequestError, bad);
  }
});

test("an image's processes: the wharf.processes label, then a Procfile in the image, then wharf.procfile, then entrypoint + cmd", () => {
  const procfile = { name: "/app/user/Procfile", text: "web: ./f\nworker: ./w\n" };
  const both = { "wharf.processes": '{"web":"./a","worker":"./b"}', "wharf.procfile": "web: ./p\n" };
  // A Wharf image keeps the processes its build recorded, even with a Procfile in its code.
  assert.deepEqual(imageProcesses("i", { Labels: both, Cmd: ["x"] }, procfile), {
    processes: { web: "./a", worker: "./b" },
    from: { kind: "processes-label" },
  });
  assert.deepEqual(
    imageProcesses("i", { Labels: { "wharf.procfile": "web: ./p\n" }, Cmd: ["x"] }, procfile),
    {
      processes: { web: "./f", worker: "./w" },
      from: { kind: "procfile", path: "/app/user/Procfile" },
    },
  );
  assert.deepEqual(imageProcesses("i", { Labels: { "wharf.procfile": "web: ./p\n" }, Cmd: ["x"] }), {
    processes: { web: "./p" },
    from: { kind: "procfile-label" },
  });
  // A blank Procfile is tsuru's "Procfile not found".
  assert.deepEqual(imageProcesses("i", { Cmd: ["x", "y z"] }, { name: "/Procfile", text: " \n" }), {
    processes: { web: "x 'y z'" },
    from: { kind: "command" },
  });
  assert.throws(
    () => imageProcesses("reg/i:1", { Cmd: ["x"] }, { name: "/Procfile", text: "web ./nocolon\n" }),
    (e: unknown) =>
      e instanceof BadRequestError && /^image reg\/i:1, \/Procfile: Procfile line 1/.test(e.message),
  );
  assert.deepEqual(processesFromImage("i", { Labels: { "wharf.procfile": "web: ./p\n" } }), { web: "./p" });
  assert.deepEqual(
    processesFromImage("i", { Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo 'hi' && sleep 1"] }),
    { web: `/bin/sh -c 'echo '\\''hi'\\'' && sleep 1'` },
  );
  assert.deepEqual(processesFromImage("i", { Cmd: "npm start" }), { web: "'npm start'" });
  assert.throws(
    () => processesFromImage("i", { Labels: {} }),
    /no Procfile, Procfile label, entrypoint or cmd/,
  );
  assert.throws(
    () => processesFromImage("i", { Labels: { "wharf.processes": "[1]" } }),
    /invalid wharf\.processes/,
  );
  assert.throws(
    () => processesFromImage("i", { Labels: { "wharf.processes": '{"bad name":"x"}' } }),
    /invalid wharf\.processes/,
  );
});

test("shell quoting keeps plain words and single-quotes the rest", () => {
  assert.equal(shellQuote("/usr/bin/node"), "/usr/bin/node");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote("$HOME"), "'$HOME'");
});

test("every stage gets the build label right after its FROM", () => {
  assert.equal(
    labelStages("FROM a AS b\nRUN x\nfrom c\nCMD y", "app1"),
    'FROM a AS b\nLABEL wharf.build="app1"\nRUN x\nfrom c\nLABEL wharf.build="app1"\nCMD y',
  );
});

test("the image's own labels go on the last stage's build label line, quoted and safe from $ expansion", () => {
  assert.equal(
    labelStages("FROM a AS b\nRUN x\nFROM c\nRUN y", "app1", {
      "wharf.app": "app1",
      "wharf.processes": '{"web":"serve -p $PORT"}',
    }),
    'FROM a AS b\nLABEL wharf.build="app1"\nRUN x\nFROM c\n' +
      'LABEL wharf.build="app1" wharf.app="app1" wharf.processes="{\\"web\\":\\"serve -p \\$PORT\\"}"\nRUN y',
  );
});

test("secret values are masked in build lines, longest first; very short values are left alone", () => {
  const mask = masker(["s3cr3t-value", "s3cr3t", "ab"]);
  assert.equal(mask("token=s3cr3t-value and s3cr3t, ab"), "token=***** and *****, ab");
  assert.equal(masker()("unchanged"), "unchanged");
});

test("the platform Dockerfile sets workdir and user first (cached), copies the code owned by application, runs the platform step, then each hook as its own step", () => {
  const df = platformDockerfile("reg:5000/wharf/platform-node:v2", ["npm run build", `echo "a'b"`]).split(
    "\n",
  );
  assert.deepEqual(df, [
    "FROM reg:5000/wharf/platform-node:v2",
    "WORKDIR /home/application/current",
    "USER application",
    "COPY --chown=application:application code/ /home/application/current/",
    "RUN /var/lib/wharf/build",
    'RUN ["/bin/sh","-c","npm run build"]',
    `RUN ["/bin/sh","-c","echo \\"a'b\\""]`,
    "",
  ]);
});
