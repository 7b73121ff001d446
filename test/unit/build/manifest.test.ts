// Vectors for Procfile and tsuru.yaml/wharf.yaml parsing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildManifest, parseAppYaml, parseProcfile, PLATFORM_START } from "../../../src/build/manifest.js";
import { BadRequestError } from "../../../src/domain/errors.js";

test("Procfile lines become processes; comments, blank lines, CRLF and a BOM are tolerated", () => {
  assert.deepEqual(
    parseProcfile(
      "\uFEFF# processes\r\nweb: node server.js --port $PORT\r\n\r\nworker:python -m jobs: run\n  my_proc-2 :  ./x  \n",
    ),
    { web: "node server.js --port $PORT", worker: "python -m jobs: run", "my_proc-2": "./x" },
  );
});

test("Procfile mistakes are 400s naming the line", () => {
  const vectors: Array<[string, RegExp]> = [
    ["web ./server", /line 1 is not "name: command"/],
    ["web: a\nbad name: b", /line 2: invalid process name "bad name"/],
    ["web.1: a", /invalid process name "web\.1"/],
    [": a", /invalid process name ""/],
    ["web:", /process "web" has no command/],
    ["web: a\nweb: b", /line 2: process "web" is declared twice/],
    ["# only a comment\n\n", /declares no process/],
    [`${"p".repeat(64)}: a`, /invalid process name/],
  ];
  for (const [text, re] of vectors) {
    assert.throws(
      () => parseProcfile(text),
      (e: unknown) => e instanceof BadRequestError && re.test(e.message),
      text,
    );
  }
});

test("tsuru.yaml hooks and healthcheck are read with tsuru's defaults", () => {
  const m = parseAppYaml(
    [
      "hooks:",
      "  build:",
      "    - echo built > /home/application/current/built.txt",
      "    - npm run assets",
      "  restart:",
      "    before: [./migrate]",
      "    after:",
      "      - ./warm",
      "healthcheck:",
      "  path: ' healthz '",
      "  method: head",
      "  scheme: HTTPS",
      "  status: 204",
      "  match: ^OK$",
      "  headers: {Host: app.example}",
      "  interval_seconds: 5",
      "  timeout_seconds: 2",
      "  allowed_failures: 3",
      "  use_in_router: true",
      "unknown_key: ignored",
    ].join("\n"),
  );
  assert.deepEqual(m.hooks, {
    build: ["echo built > /home/application/current/built.txt", "npm run assets"],
    restart: { before: ["./migrate"], after: ["./warm"] },
  });
  assert.deepEqual(m.healthcheck, {
    path: "/healthz",
    method: "HEAD",
    status: 204,
    scheme: "https",
    match: "^OK$",
    headers: { Host: "app.example" },
    intervalSeconds: 5,
    timeoutSeconds: 2,
    allowedFailures: 3,
    useInRouter: true,
  });
});

test("a healthcheck without a path is off; defaults fill the rest when a path is given", () => {
  assert.equal(parseAppYaml("healthcheck:\n  status: 200\n").healthcheck, undefined);
  assert.equal(parseAppYaml("healthcheck:\n  path: '  '\n").healthcheck, undefined);
  const h = parseAppYaml("healthcheck:\n  path: /\n").healthcheck!;
  assert.equal(h.path, "/");
  assert.equal(h.method, "GET");
  assert.equal(h.status, 200);
  assert.equal(h.scheme, "http");
  assert.equal(h.allowedFailures, 0);
});

test("an empty file, or one with only other keys, gives no hooks", () => {
  for (const text of ["", "# nothing\n", "other: 1\n"]) {
    assert.deepEqual(parseAppYaml(text), { hooks: { build: [], restart: { before: [], after: [] } } }, text);
  }
});

test("invalid YAML and wrong types are 400s naming the file and field", () => {
  const vectors: Array<[string, RegExp]> = [
    ["hooks: [unclosed", /^wharf\.yaml is not valid YAML: /],
    ["- a list\n", /wharf\.yaml: the document must be a mapping/],
    ["hooks: 3", /hooks must be a mapping/],
    ["hooks:\n  build: echo hi", /hooks\.build must be a list of shell commands/],
    ["hooks:\n  build: [1, 2]", /hooks\.build must be a list/],
    ["hooks:\n  build: ['']", /hooks\.build must be a list/],
    ["hooks:\n  restart:\n    after: x", /hooks\.restart\.after must be a list/],
    ["healthcheck: /x", /healthcheck must be a mapping/],
    ["healthcheck:\n  path: 5", /healthcheck\.path must be a string/],
    [
      "healthcheck:\n  path: /x\n  status: '200'",
      /healthcheck\.status must be a whole number from 100 to 599/,
    ],
    ["healthcheck:\n  path: /x\n  status: 42", /healthcheck\.status must be a whole number/],
    ["healthcheck:\n  path: /x\n  scheme: ftp", /healthcheck\.scheme must be "http" or "https"/],
    ["healthcheck:\n  path: /x\n  method: 'GET /'", /healthcheck\.method must be an HTTP method/],
    [
      "healthcheck:\n  path: /x\n  allowed_failures: -1",
      /healthcheck\.allowed_failures must be a whole number/,
    ],
    [
      "healthcheck:\n  path: /x\n  timeout_seconds: 1.5",
      /healthcheck\.timeout_seconds must be a whole number/,
    ],
    ["healthcheck:\n  path: /x\n  match: '('", /healthcheck\.match must be a valid regular expression/],
    ["healthcheck:\n  path: /x\n  use_in_router: 'yes'", /healthcheck\.use_in_router must be true or false/],
    ["healthcheck:\n  path: /x\n  headers: {Host: [a]}", /healthcheck\.headers\.Host must be a string/],
  ];
  for (const [text, re] of vectors) {
    assert.throws(
      () => parseAppYaml(text, "wharf.yaml"),
      (e: unknown) => e instanceof BadRequestError && re.test(e.message),
      text,
    );
  }
});

test("YAML alias bombs are refused instead of expanded", () => {
  const bomb = [
    "a: &a [x, x, x, x, x, x, x, x, x, x]",
    ...Array.from({ length: 8 }, (_, i) => {
      const prev = i === 0 ? "a" : `l${i - 1}`;
      return `l${i}: &l${i} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
    }),
  ].join("\n");
  assert.throws(() => parseAppYaml(bomb), BadRequestError);
});

test("without a Procfile the web process is the platform's start script", () => {
  const m = buildManifest({});
  assert.deepEqual(m.processes, { web: PLATFORM_START });
  assert.deepEqual(m.hooks.build, []);
  const withBoth = buildManifest({
    procfile: "web: ./a\nworker: ./b",
    appYaml: { name: "tsuru.yml", text: "hooks:\n  build: [make]" },
  });
  assert.deepEqual(withBoth.processes, { web: "./a", worker: "./b" });
  assert.deepEqual(withBoth.hooks.build, ["make"]);
});
