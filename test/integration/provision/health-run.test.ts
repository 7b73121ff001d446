// Healthchecks against real units (TCP and HTTP, a live unit passes, a crashing one fails
// with its log lines), and `app run`: one-off containers and exec in a running unit.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type Docker from "dockerode";
import { connectEngine } from "../../../src/cluster/docker/engine.js";
import { down, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import {
  containerProbes,
  createUnit,
  execInUnit,
  removeUnit,
  runOnce,
  stopUnit,
  UnitUnhealthyError,
  waitHealthy,
} from "../../../src/provision/docker/index.js";
import { nodeClient, testLayout } from "../../support/dev-cluster.js";
import { APP, pushAppImage, removeAll, unitSpec } from "./helpers.js";
import { engineOf } from "../../support/engines.js";

const l = testLayout();

describe("unit healthchecks and app run on a node", () => {
  let info: DevClusterInfo;
  let image: string;
  let node: Docker;
  let addr: string;

  before(async () => {
    info = await up(3, l);
    image = await pushAppImage(info.registry);
    node = nodeClient(info, 1);
    addr = info.nodes[1]!.address;
    await removeAll(node);
  });
  after(async () => {
    await down(l);
  });

  test("waitHealthy passes for a live unit, by TCP connect and by its HTTP healthcheck path", async () => {
    const spec = unitSpec(image, addr);
    const u = await createUnit(engineOf(node), spec);
    const probes = containerProbes(engineOf(node), u.containerId);
    await waitHealthy({ unitId: spec.id, address: u.address, timeoutMs: 30_000, ...probes });
    const lines: string[] = [];
    await waitHealthy({
      unitId: spec.id,
      address: u.address,
      healthcheck: { path: " /index.html", status: 200, match: "greeting=hello" },
      timeoutMs: 30_000,
      log: (x) => lines.push(x),
      ...probes,
    });
    assert.deepEqual(lines.at(-1), ` ---> healthcheck successful(${spec.id})`);
    await removeUnit(engineOf(node), u.containerId);
  });

  test("waitHealthy fails at once when the healthcheck path answers a wrong status", async () => {
    const spec = unitSpec(image, addr);
    const u = await createUnit(engineOf(node), spec);
    const probes = containerProbes(engineOf(node), u.containerId);
    await waitHealthy({ unitId: spec.id, address: u.address, timeoutMs: 30_000, ...probes });
    await assert.rejects(
      waitHealthy({
        unitId: spec.id,
        address: u.address,
        healthcheck: { path: "/missing" },
        timeoutMs: 60_000,
        ...probes,
      }),
      (err: unknown) => {
        assert.ok(err instanceof UnitUnhealthyError);
        assert.match(err.message, /wrong status code, expected 200, got: 404/);
        return true;
      },
    );
    await removeUnit(engineOf(node), u.containerId);
  });

  test("waitHealthy fails fast for a unit whose command exits, naming the unit and showing its last log lines", async () => {
    const spec = unitSpec(image, addr, {
      // The pause lets createUnit see it running, so the failure is waitHealthy's to report.
      command: 'echo "starting on $PORT"; echo "boom: database unreachable" >&2; sleep 1; exit 3',
    });
    const u = await createUnit(engineOf(node), spec);
    const started = Date.now();
    await assert.rejects(
      waitHealthy({
        unitId: spec.id,
        address: u.address,
        timeoutMs: 120_000,
        intervalMs: 200,
        ...containerProbes(engineOf(node), u.containerId),
      }),
      (err: unknown) => {
        assert.ok(err instanceof UnitUnhealthyError);
        assert.equal(err.unitId, spec.id);
        assert.match(err.message, new RegExp(`unit ${spec.id} did not become healthy: its container exited`));
        // stdout and stderr lines written in the same instant come back in either order.
        assert.deepEqual([...err.logLines].sort(), ["boom: database unreachable", "starting on 8888"]);
        assert.match(err.message, /boom: database unreachable/);
        return true;
      },
    );
    // Failing fast means well inside the 120 s deadline (not a timing figure: a bound on waiting).
    assert.ok(Date.now() - started < 60_000);
    await removeUnit(engineOf(node), u.containerId);
  });

  test("a unit whose command exits at once fails createUnit or waitHealthy with an error carrying its log lines", async () => {
    const spec = unitSpec(image, addr, { command: 'echo "no config file" >&2; exit 1' });
    const attempt = async () => {
      const u = await createUnit(engineOf(node), spec);
      await waitHealthy({
        unitId: spec.id,
        address: u.address,
        timeoutMs: 60_000,
        ...containerProbes(engineOf(node), u.containerId),
      });
    };
    await assert.rejects(attempt(), (err: unknown) => {
      assert.ok(err instanceof UnitUnhealthyError);
      assert.equal(err.unitId, spec.id);
      assert.deepEqual(err.logLines, ["no config file"]);
      assert.equal(err.status, 400);
      return true;
    });
    await removeAll(node);
  });

  test("waitHealthy on a unit that runs but never listens fails at the deadline with the last connection error", async () => {
    const spec = unitSpec(image, addr, { command: "echo idle; while true; do sleep 1; done" });
    const u = await createUnit(engineOf(node), spec);
    await assert.rejects(
      waitHealthy({
        unitId: spec.id,
        address: u.address,
        timeoutMs: 1_500,
        intervalMs: 200,
        ...containerProbes(engineOf(node), u.containerId),
      }),
      (err: unknown) => {
        assert.ok(err instanceof UnitUnhealthyError);
        assert.match(err.message, /no healthy answer within 2s; last error: .*(ECONNREFUSED|closed)/);
        assert.deepEqual(err.logLines, ["idle"]);
        return true;
      },
    );
    await removeUnit(engineOf(node), u.containerId);
  });

  test("runOnce streams the command's output, returns its exit code and leaves no container", async () => {
    const out: Array<[string, string]> = [];
    const code = await runOnce(
      engineOf(node),
      { app: APP, version: 1, image, env: { GREETING: "hey" }, limits: { memory: 0, swap: 0, cpuMilli: 0 } },
      'echo "$WHARF_APPNAME says $GREETING"; echo oops >&2; exit 7',
      { log: (line, stream) => out.push([stream, line]) },
    );
    assert.equal(code, 7);
    assert.deepEqual(out.sort(), [
      ["stderr", "oops"],
      ["stdout", "provtest says hey"],
    ]);
    const left = await node.listContainers({
      all: true,
      filters: JSON.stringify({ label: ["wharf.oneoff=true"] }),
    });
    assert.deepEqual(left, []);
  });

  test("runOnce of a command that succeeds returns 0 with its output, line by line", async () => {
    const out: string[] = [];
    const code = await runOnce(
      engineOf(node),
      { app: APP, version: 1, image, env: {}, limits: { memory: 32 * 1024 * 1024, swap: 0, cpuMilli: 500 } },
      "for i in 1 2 3; do echo line $i; sleep 0.2; done",
      { log: (line) => out.push(line) },
    );
    assert.equal(code, 0);
    assert.deepEqual(out, ["line 1", "line 2", "line 3"]);
  });

  test("runOnce cancelled through its signal stops and removes its container", async () => {
    const ac = new AbortController();
    const out: string[] = [];
    const run = runOnce(
      engineOf(node),
      { app: APP, version: 1, image, env: {}, limits: { memory: 0, swap: 0, cpuMilli: 0 } },
      "echo started; sleep 600",
      {
        log: (line) => {
          out.push(line);
          ac.abort(new Error("cancelled by the test"));
        },
        signal: ac.signal,
      },
    );
    await assert.rejects(run, /cancelled by the test/);
    assert.deepEqual(out, ["started"]);
    const left = await node.listContainers({
      all: true,
      filters: JSON.stringify({ label: ["wharf.oneoff=true"] }),
    });
    assert.deepEqual(left, []);
  });

  test("waiting calls outlast the engine client's idle timeout: a silent one-off run and a long stop grace", async () => {
    // A client whose ordinary calls time out after 1 s, as connectEngine's timeout would.
    const n = info.nodes[1]!;
    const tls = {
      ca: readFileSync(info.tls.ca),
      cert: readFileSync(info.tls.clientCert),
      key: readFileSync(info.tls.clientKey),
    };
    const impatient = connectEngine(
      { kind: "tcp", host: n.dockerHost, port: n.dockerPort, tls },
      { timeoutMs: 1_000 },
    );
    const out: string[] = [];
    const code = await runOnce(
      impatient,
      { app: APP, version: 1, image, env: {}, limits: { memory: 0, swap: 0, cpuMilli: 0 } },
      "sleep 2; echo done",
      { log: (line) => out.push(line) },
    );
    assert.equal(code, 0);
    assert.deepEqual(out, ["done"]);
    const u = await createUnit(
      impatient,
      unitSpec(image, addr, { command: "trap '' TERM; while true; do sleep 1; done" }),
    );
    await stopUnit(impatient, u.containerId, { graceSeconds: 2 });
    assert.equal((await node.getContainer(u.containerId).inspect()).State.ExitCode, 137);
    await removeUnit(impatient, u.containerId);
  });

  test("execInUnit runs a command inside a running unit with its env and returns output and exit code", async () => {
    const spec = unitSpec(image, addr);
    const u = await createUnit(engineOf(node), spec);
    const out: string[] = [];
    const code = await execInUnit(engineOf(node), u.containerId, 'echo "$WHARF_UNIT $GREETING"; exit 4', {
      log: (line) => out.push(line),
    });
    assert.equal(code, 4);
    assert.deepEqual(out, [`${spec.id} hello`]);
    await stopUnit(engineOf(node), u.containerId, { graceSeconds: 1 });
    await assert.rejects(execInUnit(engineOf(node), u.containerId, "true"), /is not running/);
    await removeUnit(engineOf(node), u.containerId);
  });
});
