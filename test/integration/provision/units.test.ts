// Units as containers on a real node: pulled from the cluster registry, published on the
// node's address, isolated and limited as claimed, idempotent, and stopped with SIGTERM.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type Docker from "dockerode";
import { down, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { engineOf, imageExists } from "../../support/engines.js";
import {
  createUnit,
  listManagedUnits,
  removeUnit,
  restartUnit,
  startUnit,
  stopUnit,
  unitLogs,
} from "../../../src/provision/docker/index.js";
import { hostEngine, nodeClient, testLayout } from "../../support/dev-cluster.js";
import { pushAppImage, removeAll, unitSpec } from "./helpers.js";

const l = testLayout();

async function get(address: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://${address}/`);
  return { status: res.status, body: await res.text() };
}

/** The unit's first answer, asked every 100 ms for up to 5 s (its process starts after the container). */
async function answerOf(address: string): Promise<{ status: number; body: string } | undefined> {
  for (let i = 0; i < 50; i++) {
    const answer = await get(address).catch(() => undefined);
    if (answer) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

describe("unit containers on a node", () => {
  let info: DevClusterInfo;
  let image: string;
  let node2: Docker;
  let addr2: string;

  before(async () => {
    info = await up(3, l);
    image = await pushAppImage(info.registry);
    node2 = nodeClient(info, 1);
    addr2 = info.nodes[1]!.address;
    await removeAll(node2);
  });
  after(async () => {
    await down(l);
  });

  test("a unit on node 2 pulls its image from the cluster registry and answers at its published address from the host", async () => {
    assert.equal(await imageExists(node2, image), false, "node 2 starts without the app image");
    const spec = unitSpec(image, addr2);
    const lines: string[] = [];
    const u = await createUnit(engineOf(node2), spec, { log: (line) => lines.push(line) });
    assert.ok(lines.some((x) => x.includes(`pulling ${image}`)));
    assert.ok(
      lines.some((x) => /Downloaded newer image|Pull complete/.test(x)),
      lines.join("\n"),
    );
    assert.equal(u.address, `${addr2}:${u.hostPort}`);
    assert.notEqual(u.hostPort, 8888);
    const answer = await answerOf(u.address);
    assert.equal(answer?.status, 200);
    assert.equal(answer?.body.trim(), `unit ${spec.id} greeting=hello`);
    await removeUnit(engineOf(node2), u.containerId);
  });

  test("the container has Wharf's labels, env, name, limits, no restart policy, no privileges and no host mounts", async () => {
    const spec = unitSpec(image, addr2, {
      limits: { memory: 96 * 1024 * 1024, swap: 32 * 1024 * 1024, cpuMilli: 100, pids: 64 },
      extraLabels: { "example.team": "blue" },
      env: { GREETING: "hi", PORT: "1", TSURU_APPNAME: "spoofed" },
    });
    const u = await createUnit(engineOf(node2), spec);
    const c = await node2.getContainer(u.containerId).inspect();
    assert.equal(c.Name, `/wharf-${spec.id}`);
    assert.deepEqual(
      {
        managed: c.Config.Labels["wharf.managed"],
        app: c.Config.Labels["wharf.app"],
        process: c.Config.Labels["wharf.process"],
        version: c.Config.Labels["wharf.version"],
        unit: c.Config.Labels["wharf.unit"],
        extra: c.Config.Labels["example.team"],
      },
      { managed: "true", app: "provtest", process: "web", version: "1", unit: spec.id, extra: "blue" },
    );
    const env = new Map(c.Config.Env.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
    assert.equal(env.get("PORT"), "8888", "Wharf's PORT wins over app env");
    assert.equal(env.get("TSURU_APPNAME"), "provtest");
    assert.equal(env.get("WHARF_APPNAME"), "provtest");
    assert.equal(env.get("WHARF_PROCESSNAME"), "web");
    assert.equal(env.get("TSURU_PROCESSNAME"), "web");
    assert.equal(env.get("GREETING"), "hi");
    const hc = c.HostConfig;
    assert.equal(hc.RestartPolicy?.Name, "no");
    assert.equal(hc.Privileged, false);
    assert.deepEqual(c.Mounts, []);
    assert.ok(!hc.Binds || hc.Binds.length === 0);
    assert.equal(hc.Memory, 96 * 1024 * 1024);
    assert.equal(hc.NanoCpus, 100_000_000);
    assert.equal(hc.PidsLimit, 64);
    assert.ok(hc.SecurityOpt?.includes("no-new-privileges:true"));
    assert.ok(hc.CapDrop?.includes("NET_RAW"));
    assert.equal(hc.Init, true);
    assert.equal(hc.PortBindings?.["8888/tcp"]?.[0]?.HostIp, addr2);
    // The limits are in force for the running process, not only recorded: the cgroup says so.
    const exec = await node2.getContainer(u.containerId).exec({
      Cmd: ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/pids/pids.max"],
      AttachStdout: true,
    });
    const out = await new Promise<string>((resolve, reject) => {
      void exec.start({ hijack: true, stdin: false }).then((s) => {
        const chunks: Buffer[] = [];
        s.on("data", (b: Buffer) => chunks.push(b));
        s.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
        s.on("error", reject);
      }, reject);
    });
    assert.match(out, new RegExp(`${96 * 1024 * 1024}[\\s\\S]*64`));
    await removeUnit(engineOf(node2), u.containerId);
  });

  test("creating the same unit twice gives one container, and re-creating a stopped unit starts it", async () => {
    const spec = unitSpec(image, addr2);
    const a = await createUnit(engineOf(node2), spec);
    const b = await createUnit(engineOf(node2), spec);
    assert.equal(b.containerId, a.containerId);
    const same = await node2.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`wharf.unit=${spec.id}`] }),
    });
    assert.equal(same.length, 1);
    await stopUnit(engineOf(node2), a.containerId, { graceSeconds: 1 });
    const c = await createUnit(engineOf(node2), spec);
    assert.equal(c.containerId, a.containerId);
    assert.equal((await node2.getContainer(a.containerId).inspect()).State.Running, true);
    // Started is not yet listening: createUnit does not wait for the app (waitHealthy does).
    assert.equal((await answerOf(c.address))?.status, 200);
    await removeUnit(engineOf(node2), a.containerId);
  });

  test("two concurrent creates of one unit give one container", async () => {
    const spec = unitSpec(image, addr2);
    const [a, b] = await Promise.all([createUnit(engineOf(node2), spec), createUnit(engineOf(node2), spec)]);
    assert.equal(a.containerId, b.containerId);
    const same = await node2.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`wharf.unit=${spec.id}`] }),
    });
    assert.equal(same.length, 1);
    await removeUnit(engineOf(node2), a.containerId);
  });

  test("stopUnit sends SIGTERM: a process that traps it exits cleanly before the grace period", async () => {
    const spec = unitSpec(image, addr2, {
      command: "trap 'echo caught TERM; exit 0' TERM; echo ready; while true; do sleep 1; done",
    });
    const u = await createUnit(engineOf(node2), spec);
    for (let i = 0; i < 50 && !(await unitLogs(engineOf(node2), u.containerId, 5)).includes("ready"); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    await stopUnit(engineOf(node2), u.containerId, { graceSeconds: 30 });
    const s = (await node2.getContainer(u.containerId).inspect()).State;
    assert.equal(s.Running, false);
    assert.equal(s.ExitCode, 0, "killed after the grace period would be 137");
    assert.deepEqual(await unitLogs(engineOf(node2), u.containerId, 1), ["caught TERM"]);
    // Stopping again, and stopping a container that is gone, are not errors.
    await stopUnit(engineOf(node2), u.containerId);
    await removeUnit(engineOf(node2), u.containerId);
    await removeUnit(engineOf(node2), u.containerId);
    await stopUnit(engineOf(node2), u.containerId);
  });

  test("a unit that ignores SIGTERM is killed when the grace period ends", async () => {
    const spec = unitSpec(image, addr2, { command: "trap '' TERM; while true; do sleep 1; done" });
    const u = await createUnit(engineOf(node2), spec);
    await new Promise((r) => setTimeout(r, 300));
    await stopUnit(engineOf(node2), u.containerId, { graceSeconds: 1 });
    const s = (await node2.getContainer(u.containerId).inspect()).State;
    assert.equal(s.Running, false);
    assert.equal(s.ExitCode, 137);
    await removeUnit(engineOf(node2), u.containerId);
  });

  test("restartUnit and startUnit bring a unit back answering at the address they return", async () => {
    const u = await createUnit(engineOf(node2), unitSpec(image, addr2));
    const r = await restartUnit(engineOf(node2), u.containerId, { graceSeconds: 1 });
    assert.equal(r.containerId, u.containerId);
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = (await get(r.address).catch(() => ({ status: 0 }))).status === 200;
      if (!ok) await new Promise((x) => setTimeout(x, 100));
    }
    assert.ok(ok);
    await stopUnit(engineOf(node2), u.containerId, { graceSeconds: 1 });
    const s = await startUnit(engineOf(node2), u.containerId);
    assert.equal((await node2.getContainer(u.containerId).inspect()).State.Running, true);
    assert.equal(s.address.split(":")[0], addr2);
    await removeUnit(engineOf(node2), u.containerId);
  });

  test("a node whose cached <app>:v1 is another image (the app was created again) pulls the version's own image over it; a registry without it fails the create and starts nothing", async () => {
    const built = (await hostEngine().getImage(image).inspect()).Id;
    // What a removed app of the same name left on the node: another image under the same tag.
    const [repo, tag] = [image.slice(0, image.lastIndexOf(":")), image.slice(image.lastIndexOf(":") + 1)];
    if (!(await imageExists(node2, image))) await createUnit(engineOf(node2), unitSpec(image, addr2));
    await removeAll(node2);
    const old = await node2.createContainer({ Image: image, Cmd: ["true"] });
    await old.commit({ repo, tag, changes: ["LABEL wharf.test.stale=1"] });
    await old.remove();
    const stale = (await node2.getImage(image).inspect()).Id;
    assert.notEqual(stale, built, "the node's copy is another image");

    const lines: string[] = [];
    const spec = unitSpec(image, addr2, { imageId: built });
    const u = await createUnit(engineOf(node2), spec, { log: (line) => lines.push(line) });
    assert.ok(
      lines.some((x) => x.includes("is another image")),
      lines.join("\n"),
    );
    assert.equal((await node2.getImage(image).inspect()).Id, built);
    assert.equal((await node2.getContainer(u.containerId).inspect()).Image, built);
    await removeUnit(engineOf(node2), u.containerId);

    const missing = unitSpec(image, addr2, { imageId: `sha256:${"0".repeat(64)}` });
    await assert.rejects(createUnit(engineOf(node2), missing), /is not the image built for this version/);
    const none = await node2.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`wharf.unit=${missing.id}`] }),
    });
    assert.deepEqual(none, []);
  });

  test("a createUnit cancelled before it starts creates nothing", async () => {
    const ac = new AbortController();
    ac.abort(new Error("deploy cancelled"));
    const spec = unitSpec(image, addr2);
    await assert.rejects(createUnit(engineOf(node2), spec, { signal: ac.signal }), /deploy cancelled/);
    const same = await node2.listContainers({
      all: true,
      filters: JSON.stringify({ label: [`wharf.unit=${spec.id}`] }),
    });
    assert.deepEqual(same, []);
  });

  test("listManagedUnits lists Wharf's units, running or stopped, and nothing else", async () => {
    const web = unitSpec(image, addr2);
    const worker = unitSpec(image, addr2, { process: "worker", id: web.id.replace("-web-", "-worker-") });
    const a = await createUnit(engineOf(node2), web);
    const b = await createUnit(engineOf(node2), worker);
    await stopUnit(engineOf(node2), b.containerId, { graceSeconds: 1 });
    const foreign = await node2.createContainer({
      Image: image,
      Cmd: ["sleep", "60"],
      Labels: { "wharf.app": "x" },
    });
    await foreign.start();
    const units = await listManagedUnits(engineOf(node2));
    assert.deepEqual(units.map((u) => u.containerId).sort(), [a.containerId, b.containerId].sort());
    const w = units.find((u) => u.containerId === a.containerId)!;
    assert.deepEqual(
      {
        unitId: w.unitId,
        app: w.app,
        process: w.process,
        version: w.version,
        state: w.state,
        hostPort: w.hostPort,
      },
      { unitId: web.id, app: "provtest", process: "web", version: 1, state: "running", hostPort: a.hostPort },
    );
    assert.equal(w.address, a.address);
    const s = units.find((u) => u.containerId === b.containerId)!;
    assert.equal(s.state, "exited");
    assert.equal(s.process, "worker");
    await removeAll(node2);
  });
});
