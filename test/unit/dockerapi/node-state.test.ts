// The endpoint's cache of node containers: a refresh asked while an earlier one is still being
// answered sees the state after the ask (docker run -d, then ps: the create event's read must
// not stand for the start's), and asks made meanwhile share one extra read. A node added since
// the endpoint's last sync is watched and listed before a ps answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import pino from "pino";
import { NodeStates, TEAM_LABEL, type Summary } from "../../../src/dockerapi/node-state.js";
import type { Engines, NodeEngine } from "../../../src/dockerapi/engines.js";

const ADDRESS = "https://10.0.0.1:2376";

/** A node whose container listings are answered when the test says so. */
function slowNode() {
  let state = "created";
  const pending: Array<() => void> = [];
  let byId = 0;
  const summary = (): Summary =>
    ({ Id: "c1", State: state, Labels: { [TEAM_LABEL]: "team-a" } }) as unknown as Summary;
  const containers = {
    list: (o: { ids?: string[] }) => {
      // The full listing (label filter) answers at once; a read by id waits for release().
      if (!o.ids) return Promise.resolve([summary()]);
      byId++;
      const seen = summary();
      // The engine answers with the state it had when the request reached it.
      return new Promise<Summary[]>((r) => pending.push(() => r([seen])));
    },
  };
  const images = { list: () => Promise.resolve([]) };
  const events = new EventEmitter() as EventEmitter & { end(): void; destroy(): void };
  events.end = () =>
    setImmediate(() => events.emit("response", Object.assign(new PassThrough(), { statusCode: 200 })));
  events.destroy = () => undefined;
  const engine = {
    address: ADDRESS,
    host: "10.0.0.1",
    engine: { containers, images },
    request: () => events,
    connect: () => null,
  };
  const engines: Engines = { engine: () => engine as unknown as NodeEngine };
  return {
    engines,
    setState: (s: string) => void (state = s),
    release: () => pending.splice(0).forEach((f) => f()),
    reads: () => byId,
  };
}

async function loaded(states: NodeStates): Promise<void> {
  for (let i = 0; i < 100 && !states.containers(ADDRESS); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(states.containers(ADDRESS), "the node was listed");
}

const tick = () => new Promise((r) => setImmediate(r));

test("a container refresh asked while an earlier read is answered reads again: the cache ends with the newer state", async () => {
  const node = slowNode();
  const states = new NodeStates(node.engines, pino({ level: "silent" }));
  states.sync([ADDRESS]);
  await loaded(states);
  // The create event's read reaches the engine while the container is still "created".
  const first = states.refreshContainer(ADDRESS, "c1");
  await tick();
  // The start happens, then the start handler asks for a refresh while the first read is out.
  node.setState("running");
  const second = states.refreshContainer(ADDRESS, "c1");
  const third = states.refreshContainer(ADDRESS, "c1");
  node.release();
  await first;
  for (let i = 0; i < 10; i++) {
    await tick();
    node.release();
  }
  await Promise.all([second, third]);
  assert.equal(states.containers(ADDRESS)?.get("c1")?.State, "running");
  assert.equal(node.reads(), 2, "the two asks made during the first read share one more read");
  states.stop();
});

test("ready() watches a node added since the last sync and resolves once it is listed", async () => {
  const node = slowNode();
  const states = new NodeStates(node.engines, pino({ level: "silent" }));
  assert.equal(states.containers(ADDRESS), undefined, "not watched before");
  await states.ready([ADDRESS], 5000);
  assert.equal(states.containers(ADDRESS)?.get("c1")?.State, "created", "listed when ready() resolves");
  states.stop();
});
