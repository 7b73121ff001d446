// The log collector over a scripted engine: it follows running unit containers, splits
// Docker's multiplexed stdout/stderr into timestamped lines, picks up containers that start
// later, and when a unit's container stops and starts again it resumes from the last line
// it saw (Docker's since), so a restart neither repeats nor skips output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { LogCollector, type LogSource, type SourceContainer } from "../../../src/agent/collector.js";
import type { AgentLogLine } from "../../../src/agent/protocol.js";

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
}

class ScriptedEngine implements LogSource {
  containers: SourceContainer[] = [];
  follows: Array<{ id: string; since: string; body: PassThrough }> = [];
  private starts: ((id: string) => void) | undefined;
  async listUnits() {
    return this.containers;
  }
  async watchStarts(onStart: (id: string) => void, signal: AbortSignal) {
    this.starts = onStart;
    await new Promise<void>((r) => signal.addEventListener("abort", () => r(), { once: true }));
  }
  async tty() {
    return false;
  }
  async follow(id: string, since: string) {
    const body = new PassThrough();
    this.follows.push({ id, since, body });
    return body;
  }
  start(c: SourceContainer) {
    this.containers = [...this.containers.filter((x) => x.id !== c.id), c];
    this.starts?.(c.id);
  }
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(what: string, ok: () => boolean) {
  for (let i = 0; i < 200 && !ok(); i++) await tick();
  assert.ok(ok(), what);
}

test("running units are followed from their marks, and each output line keeps its stream and time", async () => {
  const engine = new ScriptedEngine();
  engine.containers = [
    { id: "c1", unit: "app-web-1", state: "running" },
    { id: "c2", unit: "app-web-2", state: "exited" },
    { id: "c3", unit: "", state: "running" },
  ];
  const got: AgentLogLine[] = [];
  const c = new LogCollector(engine, (l) => got.push(...l), {
    marks: async () => ({ "app-web-1": "1704164645.000000000" }),
    resyncMs: 60_000,
  });
  await c.start();
  await until("c1 followed", () => engine.follows.length === 1);
  assert.deepEqual(
    engine.follows.map((f) => [f.id, f.since]),
    [["c1", "1704164645.000000000"]],
  );
  const body = engine.follows[0]!.body;
  // A frame split across chunks, and two lines in one frame.
  const f = frame(1, "2024-01-02T03:04:05.000000001Z hello\n2024-01-02T03:04:05.000000002Z wor");
  body.write(f.subarray(0, 5));
  body.write(f.subarray(5));
  body.write(frame(1, "ld\n"));
  body.write(frame(2, "2024-01-02T03:04:05.000000003Z oops\n"));
  await until("3 lines", () => got.length === 3);
  assert.deepEqual(
    got.map((l) => [l.unit, l.stream, l.time, l.message]),
    [
      ["app-web-1", "stdout", "2024-01-02T03:04:05.000000001Z", "hello"],
      ["app-web-1", "stdout", "2024-01-02T03:04:05.000000002Z", "world"],
      ["app-web-1", "stderr", "2024-01-02T03:04:05.000000003Z", "oops"],
    ],
  );
  c.stop();
});

test("a container that starts later is followed; one that restarts resumes after its last line", async () => {
  const engine = new ScriptedEngine();
  const got: AgentLogLine[] = [];
  const c = new LogCollector(engine, (l) => got.push(...l), { resyncMs: 60_000 });
  await c.start();
  engine.start({ id: "n1", unit: "app-web-9", state: "running" });
  await until("n1 followed", () => engine.follows.length === 1);
  assert.equal(engine.follows[0]!.since, "");
  engine.follows[0]!.body.end(frame(1, "2024-01-02T03:04:05.000000042Z before restart\n"));
  await until("the stream ended", () => c.followed === 0);
  // The same container starts again (app restart): followed from the last line seen.
  engine.start({ id: "n1", unit: "app-web-9", state: "running" });
  await until("n1 followed again", () => engine.follows.length === 2);
  assert.equal(engine.follows[1]!.since, "1704164645.000000042");
  assert.deepEqual(
    got.map((l) => l.message),
    ["before restart"],
  );
  c.stop();
});
