// Healing on the 3-node cluster with a real `wharf server`: a unit container that vanishes
// is replaced; killing a node's dockerd under load brings the app back to its full unit
// count on the other nodes, and the returning node keeps no duplicate (WHARF_HEAL_ROUNDS
// rounds, default 3; the 10 run in bench/healing); a crash-looping unit is
// replaced again and again, each attempt an event saying why and which restart it is.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { nodeClient } from "../support/dev-cluster.js";
import { setupWharf, streamDeploy, tarGz, type WharfE2E } from "../support/wharf-e2e.js";
import {
  CHAOS_ENV,
  appUnits,
  assertNoDuplicates,
  chaosRound,
  deployChaosApp,
  describeRound,
  fullCapacity,
  type ChaosApp,
} from "../../bench/healing/chaos.js";

const ROUNDS = Number(process.env.WHARF_HEAL_ROUNDS ?? 3);
const APP: ChaosApp = { name: "healme", web: 3, worker: 1 };
let w: WharfE2E;

interface EventInfo {
  UniqueID: string;
  Kind: { Name: string };
  Running: boolean;
  Error: string;
  Log: string;
}

async function healerEvents(app: string): Promise<EventInfo[]> {
  const r = await w.api("GET", `/events?target.value=${app}&kindname=healer&limit=1000`);
  if (r.status === 204) return [];
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as EventInfo[];
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  assert.ok(Number.isInteger(ROUNDS) && ROUNDS > 0, "WHARF_HEAL_ROUNDS must be a positive whole number");
  w = await setupWharf({ prefix: "heal", env: CHAOS_ENV });
  await deployChaosApp(w, APP);
});

after(async () => {
  await w?.close();
});

describe("healing", () => {
  test("a web unit whose container is removed behind Wharf's back is replaced and serves again", async () => {
    const [victim] = (await appUnits(w, APP.name)).filter((u) => u.ProcessName === "web");
    assert.ok(victim);
    const index = w.info.nodes.findIndex((n) => victim.Node === `https://${n.address}:2376`);
    await nodeClient(w.info, index).getContainer(victim.ID).remove({ force: true });
    const ev = await until("a finished healer event about the removed unit", async () =>
      (await healerEvents(APP.name)).find((e) => !e.Running && e.Log.includes(victim.Name)),
    );
    assert.equal(ev.Error, "", ev.Log);
    assert.match(ev.Log, /its container disappeared \(restart #1\)/);
    assert.match(ev.Log, /replaced by /);
    const units = await until("full capacity without the removed unit", async () => {
      const us = await appUnits(w, APP.name);
      return fullCapacity(us, APP) ? us : undefined;
    });
    assert.ok(!units.some((u) => u.Name === victim.Name), "the dead unit's row is gone");
    for (let i = 0; i < 10; i++) assert.equal((await w.get(APP.name)).status, 200);
    await assertNoDuplicates(w, [APP.name], "after the unit heal");
  });

  test(`killing a node's dockerd under load (${ROUNDS} rounds): full capacity on the other nodes, requests succeed, no duplicate after it returns, 0 units lost`, async () => {
    const results = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r = await chaosRound(w, APP, i + 1, i % w.info.nodes.length);
      console.log(`# ${describeRound(r)}`);
      results.push(r);
      assert.equal(r.units, APP.web + APP.worker, `round ${i + 1}: units`);
    }
    const events = await healerEvents(APP.name);
    assert.ok(
      events.filter((e) => /lost with node/.test(e.Log)).length >= ROUNDS,
      "each round's rescheduling is in a healer event",
    );
    assert.deepEqual(
      events.filter((e) => e.Running),
      [],
      "no healer event is left running",
    );
  });

  test("a crash-looping worker is replaced again and again, each event giving the exit reason and restart number", async () => {
    const app = "crashloop";
    await w.ok(["app", "create", app, "node", "-t", "devs"]);
    const archive = await tarGz([
      // Up long enough to pass the start check (1.5 s), then dies with code 3.
      { name: "Procfile", content: "worker: sleep 3; exit 3\n" },
    ]);
    const r = await streamDeploy(w, app, archive);
    assert.equal(r.status, 200, r.text);
    const attempts = await until(
      "three replacement attempts",
      async () => {
        const evs = (await healerEvents(app)).filter((e) => !e.Running && /restart #\d+/.test(e.Log));
        return evs.length >= 3 ? evs : undefined;
      },
      180_000,
    );
    for (const e of attempts) assert.match(e.Log, /exited with code 3 \(restart #\d+\)/, e.Log);
    const numbers = attempts.map((e) => Number(/restart #(\d+)/.exec(e.Log)![1])).sort((x, y) => x - y);
    assert.deepEqual(numbers.slice(0, 3), [1, 2, 3], "restart numbers count up across replacements");
    // Stop the loop (the app's lock may be held by a heal for a moment).
    await until("app remove", async () =>
      (await w.cli(["app", "remove", "-a", app, "-y"])).code === 0 ? true : undefined,
    );
  });
});
