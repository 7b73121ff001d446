// The agent's sampler: figures from two readings (rates over the time between them, in the
// step of their midpoint), the cgroup v1/v2 and procfs parsing on a file tree laid out like
// the host's, and the fallback to one-shot stats when a container's files cannot be found.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CgroupReader, netBytes, statValue } from "../../../src/agent/cgroups.js";
import { UnitSampler, figures } from "../../../src/agent/sampler.js";

const c = (cpuNs: number, memoryBytes: number, rxBytes: number, txBytes: number) => ({
  cpuNs,
  memoryBytes,
  rxBytes,
  txBytes,
});

test("figures: CPU percent of one core, bytes per second, in the step of the readings' midpoint", () => {
  const t0 = 1_700_000_001_000;
  const s = figures(
    "u1",
    { atMs: t0, c: c(0, 10, 1000, 0) },
    { atMs: t0 + 10_000, c: c(2.5e9, 20, 6000, 100) },
  );
  assert.deepEqual(s, {
    Unit: "u1",
    Time: 1_700_000_000,
    MemoryBytes: 20,
    CPUPercent: 25,
    RxBytesPerSecond: 500,
    TxBytesPerSecond: 10,
  });
  // First reading: memory only. A counter that went back (new process): no rate for it.
  assert.deepEqual(figures("u1", undefined, { atMs: t0, c: c(5, 7, 1, 1) }), {
    Unit: "u1",
    Time: 1_700_000_000,
    MemoryBytes: 7,
  });
  const back = figures("u1", { atMs: t0, c: c(9e9, 1, 10, 10) }, { atMs: t0 + 10_000, c: c(1e9, 1, 20, 5) });
  assert.equal(back.CPUPercent, undefined);
  assert.equal(back.RxBytesPerSecond, 1);
  assert.equal(back.TxBytesPerSecond, undefined);
});

test("stat files and net/dev: values by key, loopback left out", () => {
  const stat = "cache 5\ntotal_inactive_file 300\ninactive_file 7\n";
  assert.equal(statValue(stat, "total_inactive_file"), 300);
  assert.equal(statValue(stat, "inactive_file"), 7);
  assert.equal(statValue(stat, "cache"), 5);
  assert.equal(statValue(stat, "missing"), 0);
  const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  900      9    0    0    0     0          0         0      900      9    0    0    0     0       0          0
  eth0: 1500     10    0    0    0     0          0         0      700      5    0    0    0     0       0          0
  eth1:  100      1    0    0    0     0          0         0       50      1    0    0    0     0       0          0
`;
  assert.deepEqual(netBytes(dev), { rx: 1600, tx: 750 });
});

function hostTree(): string {
  const root = mkdtempSync(join(tmpdir(), "wharf-cg-"));
  const put = (p: string, text: string) => {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  const dev = "h1\nh2\n  eth0: 4000 0 0 0 0 0 0 0 2000 0 0 0 0 0 0 0\n";
  // pid 10: cgroup v1 with cpu,cpuacct joined; pid 20: cgroup v2; pid 30: outside our namespace.
  put("proc/1/cgroup", "0::/\n");
  put("proc/10/cgroup", "12:memory:/docker/aaa\n4:cpu,cpuacct:/docker/aaa\n0::/docker/aaa\n");
  put("proc/10/net/dev", dev);
  put("sys/fs/cgroup/cpu,cpuacct/docker/aaa/cpuacct.usage", "123456789\n");
  put("sys/fs/cgroup/memory/docker/aaa/memory.usage_in_bytes", "10000\n");
  put("sys/fs/cgroup/memory/docker/aaa/memory.stat", "cache 9000\ntotal_inactive_file 4000\n");
  put("proc/20/cgroup", "0::/system.slice/docker-bbb.scope\n");
  put("proc/20/net/dev", dev);
  put("sys/fs/cgroup/system.slice/docker-bbb.scope/cpu.stat", "usage_usec 2000\nuser_usec 1500\n");
  put("sys/fs/cgroup/system.slice/docker-bbb.scope/memory.current", "8000\n");
  put("sys/fs/cgroup/system.slice/docker-bbb.scope/memory.stat", "anon 10\ninactive_file 1000\n");
  put("proc/30/cgroup", "0::/../ccc\n");
  return root;
}

test("the cgroup reader finds v1 and v2 files from a pid and reads docker stats' figures", () => {
  const root = hostTree();
  try {
    const r = new CgroupReader(root);
    assert.equal(r.available(), true);
    const v1 = r.locate(10)!;
    assert.equal(v1.kind, "v1");
    assert.deepEqual(r.read(v1), c(123456789, 6000, 4000, 2000));
    const v2 = r.locate(20)!;
    assert.equal(v2.kind, "v2");
    assert.deepEqual(r.read(v2), c(2_000_000, 7000, 4000, 2000));
    assert.equal(r.locate(30), null);
    assert.equal(r.locate(40), null);
    assert.equal(r.locate(0), null);
    rmSync(join(root, "proc/20"), { recursive: true });
    assert.equal(r.read(v2), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the sampler reads cgroups where it can and one-shot stats elsewhere, queues samples until sent", async () => {
  const root = hostTree();
  try {
    const pids: Record<string, number> = { a: 10, b: 20, x: 30 };
    const apiCalls: string[] = [];
    const sampler = new UnitSampler(
      {
        pid: async (id) => pids[id] ?? 0,
        statsOnce: async (id) => {
          apiCalls.push(id);
          return c(1, 2, 3, 4);
        },
      },
      new CgroupReader(root),
    );
    const list = [
      { id: "a", unit: "ua", state: "running" },
      { id: "b", unit: "ub", state: "running" },
      { id: "x", unit: "ux", state: "running" },
      { id: "s", unit: "us", state: "exited" },
      { id: "n", unit: "", state: "running" },
    ];
    await sampler.sample(list);
    assert.deepEqual(sampler.lastPass, { cgroup: 2, api: 1 });
    assert.deepEqual(apiCalls, ["x"]);
    await new Promise((r) => setTimeout(r, 5));
    await sampler.sample(list);
    const queued = sampler.peek();
    assert.deepEqual(
      queued.map((s) => s.Unit),
      ["ua", "ub", "ux", "ua", "ub", "ux"],
    );
    assert.ok(queued.slice(3).every((s) => s.CPUPercent !== undefined));
    sampler.sent(4);
    assert.deepEqual(
      sampler.peek().map((s) => s.Unit),
      ["ub", "ux"],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
