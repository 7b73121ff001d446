// The pure parts of image deploys: where Procfile and tsuru.yaml are looked for, the hook
// command, the hook container's isolation and limits, and the config its commit restores.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IMAGE_PROCFILE_PATHS, IMAGE_YAML_PATHS } from "../../../src/build/image-app-files.js";
import {
  commitConfig,
  hookCommand,
  hookContainerOptions,
  hookHostConfig,
} from "../../../src/build/image-hooks.js";

test("Procfile and tsuru.yaml are looked for in tsuru's directories, in tsuru's order", () => {
  assert.deepEqual(IMAGE_PROCFILE_PATHS, [
    "/home/application/current/Procfile",
    "/app/user/Procfile",
    "/Procfile",
  ]);
  assert.deepEqual(IMAGE_YAML_PATHS.slice(0, 5), [
    "/home/application/current/tsuru.yml",
    "/home/application/current/tsuru.yaml",
    "/home/application/current/app.yml",
    "/home/application/current/app.yaml",
    "/app/user/tsuru.yml",
  ]);
  assert.equal(IMAGE_YAML_PATHS.at(-1), "/app.yaml");
  assert.equal(IMAGE_YAML_PATHS.length, 12);
});

test("the hooks run in one shell, joined with && as tsuru does, so the first failure stops the rest", () => {
  assert.equal(hookCommand(["npm ci", "echo 'a && b'"]), "npm ci && echo 'a && b'");
  assert.equal(hookCommand(["only"]), "only");
});

test("the hook container: the whole command in its entrypoint, the build label, no app env, no user override, build limits", () => {
  const o = hookContainerOptions(
    {
      image: "sha256:abc",
      hooks: ["make", "make test"],
      app: "web",
      limits: { memory: 512 * 2 ** 20, cpuMilli: 1500 },
    },
    "wharf-hooks-web-1",
  );
  assert.deepEqual(o.Entrypoint, ["/bin/sh", "-c", "make && make test"]);
  assert.deepEqual(o.Cmd, []);
  assert.equal(o.Image, "sha256:abc");
  assert.deepEqual(o.Labels, { "wharf.build": "web" });
  // The image's env and USER apply, as in a RUN step; app env is never given to a build.
  assert.equal(o.Env, undefined);
  assert.equal(o.User, undefined);
  assert.equal(o.Tty, false);
  assert.deepEqual(o.HostConfig, {
    Privileged: false,
    Binds: [],
    Mounts: [],
    RestartPolicy: { Name: "no" },
    Memory: 512 * 2 ** 20,
    MemorySwap: 512 * 2 ** 20,
    CpuPeriod: 100_000,
    CpuQuota: 150_000,
  });
  assert.deepEqual(hookHostConfig({ cpuShares: 512 }), {
    Privileged: false,
    Binds: [],
    Mounts: [],
    RestartPolicy: { Name: "no" },
    CpuShares: 512,
  });
});

test("the commit restores the image's own entrypoint and cmd, empty lists for missing ones", () => {
  assert.deepEqual(commitConfig({ Entrypoint: ["/entry"], Cmd: ["serve", "-p", "80"] }), {
    Entrypoint: ["/entry"],
    Cmd: ["serve", "-p", "80"],
  });
  assert.deepEqual(commitConfig({ Entrypoint: null, Cmd: ["/bin/sh"] }), {
    Entrypoint: [],
    Cmd: ["/bin/sh"],
  });
  assert.deepEqual(commitConfig({ Cmd: "npm start" }), { Entrypoint: [], Cmd: ["npm start"] });
  assert.deepEqual(commitConfig({}), { Entrypoint: [], Cmd: [] });
});
