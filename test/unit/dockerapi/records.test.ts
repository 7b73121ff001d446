// The endpoint's in-memory copy of its container records must answer what the store answers:
// after any mix of creates, renames, moves and removals through the tapped store (in
// transactions too), while a reload is reading, and once another server wrote to the store.
import { test } from "node:test";
import assert from "node:assert/strict";
import { openStore, type Store } from "../../../src/store/index.js";
import type { DockerContainerRecord } from "../../../src/store/types.js";
import { DockerRecords, type RecordFilter } from "../../../src/dockerapi/records.js";

type NewRecord = Omit<DockerContainerRecord, "createdAt" | "updatedAt">;

const record = (i: number, team: string, node: string, pool = "main"): NewRecord => ({
  swarmId: `sid-${i}`,
  team,
  owner: `${team}@x.io`,
  pool,
  node,
  containerId: `engine-${i}`,
  name: `c${i}`,
  engineName: `wd.sid-${i}`,
  image: "busybox",
  memory: i * 10,
  cpus: 0,
  ports: [],
  hostNetwork: false,
  exposedPorts: [],
  reschedule: false,
  config: JSON.stringify({ Labels: { i: String(i) } }),
  phase: "created",
});

const FILTERS: RecordFilter[] = [
  {},
  { teams: ["alpha"] },
  { teams: ["alpha", "beta"] },
  { teams: [] },
  { node: "n1" },
  { pool: "other" },
  { teams: ["beta"], pool: "main" },
];

async function assertSame(records: DockerRecords, store: Store): Promise<void> {
  for (const f of FILTERS)
    assert.deepEqual(await records.list(f), await store.listDockerContainers(f), JSON.stringify(f));
}

/** Runs `fn` on a new in-memory store, closed afterwards whatever happens. */
async function withFreshStore(fn: (store: Store) => Promise<void>): Promise<void> {
  const store = await openStore({ kind: "sqlite", path: ":memory:" });
  try {
    await fn(store);
  } finally {
    await store.close();
  }
}

test("after creates, renames, moves and removals through the tapped store, the copy lists what the store lists", () =>
  withFreshStore(async (store) => {
    const records = new DockerRecords(store);
    const tapped = records.tap(store);
    await tapped.createDockerContainer(record(0, "alpha", "n1"));
    await assertSame(records, store); // loaded on first use
    // A fixed pseudo-random mix, so a failure replays the same way.
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 1; i < 120; i++) {
      const op = rand(5);
      const target = `sid-${rand(i)}`;
      if (op <= 1)
        await tapped.createDockerContainer(
          record(i, ["alpha", "beta", "gamma"][rand(3)]!, `n${rand(3)}`, rand(4) ? "main" : "other"),
        );
      else if (op === 2) await tapped.updateDockerContainer(target, { name: `renamed-${i}` });
      else if (op === 3) await tapped.updateDockerContainer(target, { node: `n${rand(3)}`, containerId: "" });
      else await tapped.deleteDockerContainer(target);
    }
    await assertSame(records, store);
  }));

test("a transaction's writes reach the copy once it commits, and never when it rolls back", () =>
  withFreshStore(async (store) => {
    const records = new DockerRecords(store);
    const tapped = records.tap(store);
    await tapped.createDockerContainer(record(1, "alpha", "n1"));
    await records.list();
    await tapped.tx(async (t) => {
      await t.createDockerContainer(record(2, "alpha", "n1"));
      await t.updateDockerContainer("sid-1", { phase: "rescheduling" });
    });
    await assertSame(records, store);
    await assert.rejects(
      tapped.tx(async (t) => {
        await t.createDockerContainer(record(3, "alpha", "n2"));
        await t.deleteDockerContainer("sid-2");
        throw new Error("quota exceeded");
      }),
      /quota exceeded/,
    );
    await assertSame(records, store);
    assert.equal(records.has("sid-3"), false);
    assert.equal(records.has("sid-2"), true);
  }));

test("writes made while a reload reads the store are kept in the copy it installs", () =>
  withFreshStore(async (store) => {
    let release: () => void = () => undefined;
    let hold = false;
    const slowReads = {
      listDockerContainers: async (f?: RecordFilter) => {
        const rows = await store.listDockerContainers(f);
        if (hold) await new Promise<void>((r) => (release = r));
        return rows;
      },
    };
    const records = new DockerRecords(slowReads);
    const tapped = records.tap(store);
    await tapped.createDockerContainer(record(1, "alpha", "n1"));
    await tapped.createDockerContainer(record(2, "alpha", "n1"));
    await records.list();
    hold = true;
    const reload = records.reload();
    await new Promise((r) => setImmediate(r));
    // The reload has read its rows; these land after that read.
    await tapped.createDockerContainer(record(3, "beta", "n2"));
    await tapped.deleteDockerContainer("sid-1");
    await tapped.updateDockerContainer("sid-2", { name: "moved" });
    release();
    await reload;
    hold = false;
    await assertSame(records, store);
  }));

test("records another server wrote appear once the copy is older than its age limit, or on a reload", () =>
  withFreshStore(async (store) => {
    let now = 1_000_000;
    const records = new DockerRecords(store, 10_000, () => now);
    await store.createDockerContainer(record(1, "alpha", "n1"));
    await records.list();
    await store.createDockerContainer(record(2, "alpha", "n1")); // not through the tapped store
    assert.equal(records.has("sid-2"), false);
    now += 10_001;
    await records.list(); // answers the copy it has and reads again behind it
    await new Promise((r) => setImmediate(r));
    assert.equal(records.has("sid-2"), true);
    await store.deleteDockerContainer("sid-1");
    await records.reload();
    await assertSame(records, store);
  }));
