// The pure rules that turn a UnitSpec into a container config: env, labels, command, limits
// and isolation, and the refusals of specs that Docker would reject or that break isolation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BadRequestError } from "../../../src/domain/errors.js";
import {
  unitCommand,
  unitContainerConfig,
  unitEnv,
  validateUnitSpec,
  type UnitSpec,
} from "../../../src/provision/docker/spec.js";

const base: UnitSpec = {
  id: "shop-web-a1b2c3",
  app: "shop",
  process: "web",
  version: 4,
  image: "10.0.0.1:5000/shop:v4",
  command: "node server.js",
  env: { ZED: "z", ALPHA: "a" },
  port: 8888,
  nodeAddress: "10.0.0.12",
  limits: { memory: 128 * 1024 * 1024, swap: 64 * 1024 * 1024, cpuMilli: 100 },
};

test("unit env is the app env sorted by name, then Wharf's own variables, which override app values", () => {
  const env = unitEnv({ ...base, env: { ZED: "z", PORT: "1", ALPHA: "a", TSURU_APPNAME: "evil" } });
  assert.deepEqual(env, [
    "ALPHA=a",
    "ZED=z",
    "WHARF_APPNAME=shop",
    "TSURU_APPNAME=shop",
    "WHARF_PROCESSNAME=web",
    "TSURU_PROCESSNAME=web",
    "WHARF_APPVERSION=4",
    "TSURU_APPVERSION=4",
    "WHARF_UNIT=shop-web-a1b2c3",
    "port=8888",
    "PORT=8888",
  ]);
});

test("a Procfile command runs via /bin/sh -c, an argv runs as given, none runs the platform's start", () => {
  assert.deepEqual(unitCommand("node server.js --x"), {
    Entrypoint: ["/bin/sh", "-c"],
    Cmd: ["node server.js --x"],
  });
  assert.deepEqual(unitCommand(["/app/bin", "--port", "1"]), {
    Entrypoint: ["/app/bin"],
    Cmd: ["--port", "1"],
  });
  assert.deepEqual(unitCommand(undefined), { Entrypoint: ["/var/lib/wharf/start"], Cmd: [] });
});

test("the container config names the unit, labels it, publishes its port on the node address and isolates it", () => {
  const c = unitContainerConfig({ ...base, extraLabels: { "team.owner": "blue" } });
  assert.equal(c.name, "wharf-shop-web-a1b2c3");
  assert.equal(c.Hostname, "shop-web-a1b2c3");
  assert.deepEqual(c.Labels, {
    "team.owner": "blue",
    "wharf.managed": "true",
    "wharf.app": "shop",
    "wharf.process": "web",
    "wharf.version": "4",
    "wharf.unit": "shop-web-a1b2c3",
  });
  assert.deepEqual(c.ExposedPorts, { "8888/tcp": {} });
  const hc = c.HostConfig!;
  assert.deepEqual(hc.PortBindings, { "8888/tcp": [{ HostIp: "10.0.0.12", HostPort: "" }] });
  assert.equal(hc.Privileged, false);
  assert.deepEqual(hc.Binds, []);
  assert.deepEqual(hc.Mounts, []);
  assert.deepEqual(hc.RestartPolicy, { Name: "no" });
  assert.equal(hc.Memory, 128 * 1024 * 1024);
  assert.equal(hc.MemorySwap, 192 * 1024 * 1024, "MemorySwap is memory + swap");
  assert.equal(hc.NanoCpus, 100_000_000, "100 milli-CPU is 0.1 CPU");
  assert.equal(hc.PidsLimit, 4096);
  assert.ok(hc.SecurityOpt!.includes("no-new-privileges:true"));
});

test("zero limits mean unlimited: no Memory, MemorySwap or NanoCpus set; pids limit is configurable", () => {
  const hc = unitContainerConfig({
    ...base,
    limits: { memory: 0, swap: 0, cpuMilli: 0, pids: 50 },
  }).HostConfig!;
  assert.equal(hc.Memory, undefined);
  assert.equal(hc.MemorySwap, undefined);
  assert.equal(hc.NanoCpus, undefined);
  assert.equal(hc.PidsLimit, 50);
});

test("a unit id too long or odd for a hostname keeps Docker's default hostname", () => {
  const c = unitContainerConfig({ ...base, id: `shop-web-${"x".repeat(60)}` });
  assert.equal(c.Hostname, undefined);
});

test("specs Docker would refuse or that break isolation are 400s that say what is wrong", () => {
  const bad: Array<[Partial<UnitSpec>, RegExp]> = [
    [{ id: "../x" }, /unit id/],
    [{ id: "" }, /unit id/],
    [{ app: "Shop!" }, /app name/],
    [{ process: "we b" }, /process name/],
    [{ version: 0 }, /version/],
    [{ image: "shop; rm -rf /" }, /image reference/],
    [{ port: 0 }, /port/],
    [{ port: 70000 }, /port/],
    [{ nodeAddress: "node-2" }, /IPv4/],
    [{ nodeAddress: "10.0.0.256" }, /IPv4/],
    [{ command: "  " }, /command is empty/],
    [{ command: [] }, /command is empty/],
    [{ command: "a\0b" }, /NUL/],
    [{ env: { "1BAD": "x" } }, /environment variable name "1BAD"/],
    [{ env: { "A-B": "x" } }, /environment variable name/],
    [{ env: { OK: "a\0" } }, /NUL/],
    [{ limits: { memory: -1, swap: 0, cpuMilli: 0 } }, /memory limit/],
    [{ limits: { memory: 1024, swap: 0, cpuMilli: 0 } }, /6 MiB/],
    [{ limits: { memory: 0, swap: 1024, cpuMilli: 0 } }, /swap limit needs a memory limit/],
    [{ limits: { memory: 0, swap: 0, cpuMilli: 1.5 } }, /CPU limit/],
    [{ extraLabels: { "wharf.app": "other" } }, /reserved/],
  ];
  for (const [over, msg] of bad) {
    assert.throws(
      () => validateUnitSpec({ ...base, ...over }),
      (e: unknown) => e instanceof BadRequestError && msg.test(e.message),
      JSON.stringify(over),
    );
  }
  validateUnitSpec(base);
  validateUnitSpec({ ...base, command: undefined, image: "registry.local:5000/team/shop:v4" });
});
