// Healing on the 3-node cluster with a real `wharf server`:
//  - a unit container that vanishes is replaced, and app info tells;
//  - a node lost under load (its dockerd killed, or its link cut) brings the app back to
//    its full unit count on the other nodes; when it returns no duplicate survives and the
//    store matches the nodes (WHARF_HEAL_ROUNDS rounds of each kind, default 5: the issue's
//    10 rounds; bench/healing times 10 of each);
//  - `node update --disable` and `node remove` move a node's units away without a failed
//    request; a removal without room elsewhere is refused, changing nothing;
//  - lost units with no room left: app info and an event say so, and the app catches up
//    when the node returns;
//  - a crash-looping unit is replaced again and again with growing waits, each attempt an
//    event with the exit reason and restart number, the count shown in app info, also after
//    the server is killed and restarted.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { nodeClient, testLayout } from "../support/dev-cluster.js";
import { setupWharf, streamDeploy, tarGz, type WharfE2E } from "../support/wharf-e2e.js";
import {
  CHAOS_ENV,
  appUnits,
  assertNoDuplicates,
  chaosRound,
  deployChaosApp,
  describeRound,
  fullCapacity,
  nodeAddress,
  startLoad,
  type ChaosApp,
  type NodeLoss,
} from "../../bench/healing/chaos.js";
import { restartNode, stopNode } from "../../src/cluster/dev/cluster.js";

const ROUNDS = Number(process.env.WHARF_HEAL_ROUNDS ?? 5);
const APP: ChaosApp = { name: "healme", web: 3, worker: 1 };
let w: WharfE2E;

interface EventInfo {
  UniqueID: string;
  Kind: { Name: string };
  Running: boolean;
  Error: string;
  Log: string;
  StartCustomData?: unknown;
}

async function healerEvents(app: string): Promise<EventInfo[]> {
  const r = await w.api("GET", `/events?target.value=${app}&kindname=healer&limit=1000`);
  if (r.status === 204) return [];
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as EventInfo[];
}

async function appInfo(app: string): Promise<{ capacity: { missing: number; reason: string } | null }> {
  const r = await w.api("GET", `/apps/${app}`);
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as { capacity: { missing: number; reason: string } | null };
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

/** The node (0-based) holding most of the app's units. */
async function busiestNode(app: string): Promise<number> {
  const units = await appUnits(w, app);
  const counts = w.info.nodes.map((_, i) => units.filter((u) => u.Node === nodeAddress(w, i)).length);
  return counts.indexOf(Math.max(...counts));
}

const unitsOn = async (app: string, node: number) =>
  (await appUnits(w, app)).filter((u) => u.Node === nodeAddress(w, node));

before(async () => {
  assert.ok(Number.isInteger(ROUNDS) && ROUNDS > 0, "WHARF_HEAL_ROUNDS must be a positive whole number");
  w = await setupWharf({ prefix: "heal", env: CHAOS_ENV });
  await deployChaosApp(w, APP);
});

after(async () => {
  await w?.close();
});

describe("healing", () => {
  test("a web unit whose container is removed behind Wharf's back is replaced, serves again, and app info counts the restart", async () => {
    const [victim] = (await appUnits(w, APP.name)).filter((u) => u.ProcessName === "web");
    assert.ok(victim);
    const index = w.info.nodes.findIndex((_, i) => victim.Node === nodeAddress(w, i));
    await nodeClient(w.info, index).getContainer(victim.ID).remove({ force: true });
    const ev = await until("a finished healer event about the removed unit", async () =>
      (await healerEvents(APP.name)).find((e) => !e.Running && e.Log.includes(victim.Name)),
    );
    assert.equal(ev.Error, "", ev.Log);
    assert.match(ev.Log, /its container disappeared \(restart #1\)/);
    const replacement = /replaced by (\S+)/.exec(ev.Log)?.[1];
    assert.ok(replacement, ev.Log);
    const units = await until("full capacity without the removed unit", async () => {
      const us = await appUnits(w, APP.name);
      return fullCapacity(us, APP) ? us : undefined;
    });
    assert.ok(!units.some((u) => u.Name === victim.Name), "the dead unit's row is gone");
    const heir = units.find((u) => u.Name === replacement);
    assert.ok(heir, `replacement ${replacement} in app info`);
    assert.equal(heir.Restarts, 1);
    assert.equal(heir.LastExitReason, "its container disappeared");
    const table = await w.ok(["app", "info", "-a", APP.name]);
    assert.match(table.stdout, /\| Restarts \| Last exit/);
    assert.match(table.stdout, /\| 1 +\| its container disappeared \(/);
    for (let i = 0; i < 10; i++) assert.equal((await w.get(APP.name)).status, 200);
    await assertNoDuplicates(w, [APP.name], "after the unit heal");
  });

  const kinds: NodeLoss[] = ["kill", "cut"];
  test(`losing a node under load, ${ROUNDS} rounds each of a killed dockerd and a cut link: full capacity on the other nodes, requests succeed, no duplicate after it returns, 0 units lost, store consistent`, async () => {
    let round = 0;
    for (let i = 0; i < ROUNDS; i++)
      for (const kind of kinds) {
        round++;
        const r = await chaosRound(w, APP, round, round % w.info.nodes.length, kind);
        console.log(`# ${describeRound(r)}`);
        assert.equal(r.lost, 0, `round ${round}: units lost`);
        assert.ok(r.fullAfter, `round ${round}: full capacity after the node returned`);
        assert.deepEqual(r.problems, [], `round ${round}: store and nodes agree`);
        assert.equal(r.failuresAfterFull, 0, `round ${round}: requests after full capacity`);
        // A killed dockerd leaves its containers serving until they leave the routes.
        if (kind === "kill") assert.equal(r.failures, 0, `round ${round}: failed requests`);
      }
    const events = await healerEvents(APP.name);
    assert.ok(
      events.filter((e) => /lost with node/.test(e.Log)).length >= round,
      "each round's rescheduling is in a healer event",
    );
    assert.deepEqual(
      events.filter((e) => e.Running),
      [],
      "no healer event is left running",
    );
  });

  test("node update --disable moves the node's units away without a failed request; --enable takes units again", async () => {
    const node = await busiestNode(APP.name);
    const address = nodeAddress(w, node);
    assert.ok((await unitsOn(APP.name, node)).length > 0);
    const load = startLoad(w, APP.name);
    try {
      await w.ok(["node", "update", address, "--disable"]);
      await until("no unit left on the disabled node, at full capacity", async () => {
        const us = await appUnits(w, APP.name);
        return fullCapacity(us, APP, address) ? true : undefined;
      });
    } finally {
      const stats = await load.stop();
      assert.equal(stats.failures, 0, `failed requests during the drain (of ${stats.requests})`);
    }
    const drained = await healerEvents(APP.name);
    assert.ok(
      drained.some((e) => /moved from /.test(e.Log) && e.Error === ""),
      "the move is a healer event",
    );
    const info = JSON.parse((await w.api("GET", `/node/${address}`)).body) as { units: unknown[] };
    assert.deepEqual(info.units, [], "node info lists no unit on the drained node");
    await w.ok(["node", "update", address, "--enable"]);
    await assertNoDuplicates(w, [APP.name], "after the drain");
  });

  test("lost units with no room left: app info and an event say so; node remove is refused without room; the app catches up when the node returns", async () => {
    const node = await busiestNode(APP.name);
    const address = nodeAddress(w, node);
    assert.ok((await unitsOn(APP.name, node)).length > 0);
    await w.ok(["app", "constraints", "-a", APP.name, `zone==${w.info.nodes[node]!.name}`]);
    try {
      const refused = await w.cli(["node", "remove", address, "-y"]);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /Cannot move \d+ of the \d+ units of node .*Nothing was changed/s);
      const listed = JSON.parse((await w.api("GET", "/node")).body) as {
        nodes: Array<{ Address: string; Disabled: boolean }>;
      };
      assert.equal(listed.nodes.find((n) => n.Address === address)?.Disabled, false, "still enabled");

      await stopNode(node + 1, testLayout());
      const short = await until("app info to report missing capacity", async () => {
        const c = (await appInfo(APP.name)).capacity;
        return c && c.missing > 0 ? c : undefined;
      });
      assert.match(short.reason, /Cannot place a unit/);
      const shown = await w.ok(["app", "info", "-a", APP.name]);
      assert.match(shown.stdout, /^Capacity: \d+ unit\(s\) missing since .*: Cannot place a unit/m);
      const ev = await until("a no-capacity healer event", async () =>
        (await healerEvents(APP.name)).find((e) => /cannot be placed/.test(e.Log)),
      );
      assert.match(ev.Error, /no healthy capacity/);
      for (let i = 0; i < 10; i++) assert.equal((await w.get(APP.name)).status, 200, "the rest serves");
    } finally {
      await restartNode(node + 1, testLayout());
    }
    await until(
      "full capacity and no shortage once the node is back",
      async () => {
        const full = fullCapacity(await appUnits(w, APP.name), APP);
        return full && (await appInfo(APP.name)).capacity === null ? true : undefined;
      },
      180_000,
    );
    // The healer may still hold the app's lock while it tidies up after the node's return
    // (its event is running); a user would wait for it and try again, as the sentence says.
    await until("the constraints cleared once no healer event holds the app", async () => {
      if ((await healerEvents(APP.name)).some((e) => e.Running)) return undefined;
      const r = await w.cli(["app", "constraints", "-a", APP.name, "--clear"]);
      if (r.code === 0) return true;
      assert.match(r.stderr, /is locked by running event .*wait for it to finish, then try again/s);
      return undefined;
    });
    await until("no leftover container", async () => {
      try {
        await assertNoDuplicates(w, [APP.name], "after the node returned");
        return true;
      } catch {
        return undefined;
      }
    });
  });

  test("node remove moves the node's units away without a failed request, then unregisters it", async () => {
    const node = await busiestNode(APP.name);
    const address = nodeAddress(w, node);
    const before = await unitsOn(APP.name, node);
    assert.ok(before.length > 0);
    const load = startLoad(w, APP.name);
    let out;
    try {
      out = await w.ok(["node", "remove", address, "-y"]);
    } finally {
      const stats = await load.stop();
      assert.equal(stats.failures, 0, `failed requests during the removal (of ${stats.requests})`);
    }
    assert.match(out.stdout, /moving its \d+ unit\(s\)/);
    assert.match(out.stdout, /Node successfully removed/);
    const units = await appUnits(w, APP.name);
    assert.ok(fullCapacity(units, APP, address), JSON.stringify(units));
    assert.deepEqual(
      (await w.managedContainers()).filter((c) => c.node === node && c.app === APP.name),
      [],
      "the removed node keeps no container of the app",
    );
    // Back in the pool for what follows.
    await w.ok([
      "node",
      "add",
      `address=${address}`,
      "pool=main",
      `zone=${w.info.nodes[node]!.name}`,
      "--register",
    ]);
    await assertNoDuplicates(w, [APP.name], "after the removal");
  });

  test("a crash-looping worker is replaced again and again, each event giving the exit reason and restart number; app info keeps the count across a server kill -9", async () => {
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
    const [unit] = await appUnits(w, app);
    assert.ok(unit && unit.Restarts >= 3, JSON.stringify(unit));
    assert.equal(unit.LastExitReason, "exited with code 3");
    assert.equal(unit.LastExitCode, 3);

    await w.kill9();
    await w.start();
    const [after] = await appUnits(w, app);
    assert.ok(after && after.Restarts >= unit.Restarts, `restarts kept: ${JSON.stringify(after)}`);
    assert.equal(after.LastExitReason, "exited with code 3");
    // The loop carries on from its count, not from 1.
    const next = await until("a replacement after the restart", async () => {
      const evs = (await healerEvents(app)).filter((e) => !e.Running && /restart #\d+/.test(e.Log));
      const n = Math.max(...evs.map((e) => Number(/restart #(\d+)/.exec(e.Log)![1])));
      return n > unit.Restarts ? n : undefined;
    });
    assert.ok(next > unit.Restarts);
    // Stop the loop (the app's lock may be held by a heal for a moment).
    await until("app remove", async () =>
      (await w.cli(["app", "remove", "-a", app, "-y"])).code === 0 ? true : undefined,
    );
  });
});
