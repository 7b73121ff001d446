// `wharf app log` output and `wharf node container` forms: tsuru-client's line format,
// log stream chunks split anywhere, and the lowercased docker paths tsuru-client sends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatLogEntry, readLogStream } from "../../../src/cli/commands/app-log.js";
import { nodeContainerForm } from "../../../src/cli/commands/node-container.js";

const entry = {
  Date: "2024-05-01T10:00:00Z",
  Message: "GET / 200\n",
  Source: "web",
  AppName: "a",
  Unit: "a-web-1",
};

test("an entry prints as '<local date> [<process>][<unit>]: <message>', each part optional", () => {
  const full = formatLogEntry(entry, { date: true, source: true });
  assert.match(full, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \[web\]\[a-web-1\]: GET \/ 200$/);
  assert.equal(formatLogEntry(entry, { date: false, source: true }), "[web][a-web-1]: GET / 200");
  assert.equal(formatLogEntry({ ...entry, Unit: "" }, { date: false, source: true }), "[web]: GET / 200");
  assert.equal(formatLogEntry(entry, { date: false, source: false }), "GET / 200");
});

test("the log stream is read as JSON arrays however it is chunked; empty arrays are keep-alives", async () => {
  const text = `[${JSON.stringify(entry)}]\n[]\n[${JSON.stringify({ ...entry, Message: "two" })}]\n`;
  for (const size of [1, 3, 7, text.length]) {
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
    const got: string[] = [];
    await readLogStream(
      (async function* () {
        yield* chunks.map((c) => Buffer.from(c));
      })(),
      (e) => got.push((e as { Message: string }).Message),
    );
    assert.deepEqual(got, ["GET / 200\n", "two"]);
  }
  await assert.rejects(
    readLogStream(
      (async function* () {
        yield "{not json}\n";
      })(),
      () => undefined,
    ),
    /unable to parse/,
  );
});

test("node container options become tsuru-client's lowercased form fields", () => {
  const form = nodeContainerForm("bs", {
    pool: "p1",
    image: "tsuru/bs:v2",
    env: ["A=1", "B=2"],
    volume: ["/proc:/prochost:ro"],
    raw: ["Config.User=root"],
    privileged: true,
    restart: "always",
    disable: true,
  });
  assert.deepEqual(form, {
    name: "bs",
    pool: "p1",
    "config.image": "tsuru/bs:v2",
    "config.env.0": "A=1",
    "config.env.1": "B=2",
    "hostconfig.binds.0": "/proc:/prochost:ro",
    "hostconfig.privileged": "true",
    "hostconfig.restartpolicy.name": "always",
    "config.user": "root",
    disabled: "true",
  });
  assert.throws(() => nodeContainerForm("bs", { env: ["nope"], volume: [], raw: [] }), /NAME=value/);
  assert.throws(
    () => nodeContainerForm("bs", { env: [], volume: [], raw: [], enable: true, disable: true }),
    /together/,
  );
});
