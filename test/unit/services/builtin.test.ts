// Pure rules of the built-in services: plans, names, the env a bind gives, that no password
// ever reaches a container's env or a command's argv, placement on a pool the team may use,
// and host port choice.
import assert from "node:assert/strict";
import { createHash, createHmac, pbkdf2Sync } from "node:crypto";
import { test } from "node:test";
import {
  bindEnv,
  bindingUser,
  containerEnv,
  databaseName,
  nodeHost,
  planOf,
  resourceName,
} from "../../../src/services/builtin/catalog.js";
import { addUser, dropUser, readyCheck } from "../../../src/services/builtin/admin-commands.js";
import { newPassword, scramSha256Verifier, sha256Hex } from "../../../src/services/builtin/credentials.js";
import {
  chooseNode,
  choosePoolFor,
  choosePort,
  portRangeFromEnv,
} from "../../../src/services/builtin/placement.js";
import { imageSource } from "../../../src/services/builtin/images.js";
import { builtinKindsFromEnv } from "../../../src/services/builtin/index.js";
import type { NodeRecord, Pool, ServiceContainerRecord } from "../../../src/store/types.js";

const SECRET = "Zq8rT2mW9xK4vB7nL1pS6dF3hJ5gC0aE";

test("plans: the first is the default, unknown names are undefined, memory grows with the plan", () => {
  assert.equal(planOf("postgresql", "")?.name, "small");
  assert.equal(planOf("redis", "large")?.memory, 1024 * 2 ** 20);
  assert.equal(planOf("postgresql", "huge"), undefined);
  assert.ok(planOf("postgresql", "small")!.memory < planOf("postgresql", "medium")!.memory);
});

test("names: database from the instance name, per-binding users unique and plain, one resource name per instance", () => {
  assert.equal(databaseName("My-DB_1"), "my_db_1");
  assert.equal(
    bindingUser("postgresql", "my-db", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
    "my_db_0f1e2d3c4b5a",
  );
  assert.equal(bindingUser("redis", "cache", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), "app_0f1e2d3c4b5a");
  assert.notEqual(
    bindingUser("redis", "c", "aaaaaaaa-0000-0000-0000-000000000000"),
    bindingUser("redis", "c", "bbbbbbbb-0000-0000-0000-000000000000"),
  );
  assert.throws(() => bindingUser("redis", "c", "zz"), /too few hex digits/);
  assert.equal(resourceName("redis", "u-1"), "wharf-svc-redis-u-1");
  assert.equal(nodeHost("https://10.213.10.2:2376"), "10.213.10.2");
});

test("a PostgreSQL bind gives DATABASE_URL and the PG* parts; a Redis bind gives REDIS_URL with its user", () => {
  const pg = bindEnv(
    "postgresql",
    "orders",
    { host: "10.0.0.2", port: 20001 },
    "orders_ab12cd34ef56",
    "p@ss/w",
  );
  assert.deepEqual(pg, {
    DATABASE_URL: "postgres://orders_ab12cd34ef56:p%40ss%2Fw@10.0.0.2:20001/orders",
    PGHOST: "10.0.0.2",
    PGPORT: "20001",
    PGUSER: "orders_ab12cd34ef56",
    PGPASSWORD: "p@ss/w",
    PGDATABASE: "orders",
  });
  const r = bindEnv("redis", "cache", { host: "10.0.0.3", port: 20002 }, "app_1", "pw");
  assert.equal(r.REDIS_URL, "redis://app_1:pw@10.0.0.3:20002");
  assert.deepEqual(Object.keys(r).sort(), [
    "REDIS_HOST",
    "REDIS_PASSWORD",
    "REDIS_PORT",
    "REDIS_URL",
    "REDIS_USERNAME",
  ]);
});

test("the container env and every admin command carry verifiers only, never the password", () => {
  const everything = [
    ...containerEnv("postgresql", "db", 256 * 2 ** 20, { password: SECRET }),
    ...containerEnv("redis", "db", 64 * 2 ** 20, { password: SECRET }),
    ...addUser("postgresql", "db", SECRET, "db_0123456789ab", SECRET).flatMap((c) => [...c.cmd, ...c.env]),
    ...dropUser("postgresql", "db", SECRET, "db_0123456789ab").flatMap((c) => [...c.cmd, ...c.env]),
    ...addUser("redis", "db", "other-secret-1", "app_0123456789ab", SECRET).flatMap((c) => c.cmd),
    ...readyCheck("redis", "other-secret-1").cmd,
  ].join("\n");
  assert.ok(!everything.includes(SECRET), everything);
  assert.match(everything, /WHARF_PG_OWNER_VERIFIER=SCRAM-SHA-256\$4096:/);
  assert.ok(everything.includes(`WHARF_REDIS_PASSWORD_SHA256=${sha256Hex(SECRET)}`));
  // Redis' own login goes in the exec's env, not its argv.
  assert.deepEqual(readyCheck("redis", "other-secret-1").env, ["REDISCLI_AUTH=other-secret-1"]);
  assert.throws(
    () => addUser("postgresql", "db", SECRET, 'x"; DROP TABLE t; --', "p"),
    /not a plain SQL identifier/,
  );
});

test("the SCRAM verifier is RFC 5802's StoredKey/ServerKey for the salt and iterations it names", () => {
  const v = scramSha256Verifier("pencil", Buffer.from("0123456789abcdef"), 4096);
  const [, iterSalt, keys] = v.split("$") as [string, string, string];
  const [iter, salt] = iterSalt.split(":") as [string, string];
  const salted = pbkdf2Sync("pencil", Buffer.from(salt, "base64"), Number(iter), 32, "sha256");
  const stored = createHash("sha256")
    .update(createHmac("sha256", salted).update("Client Key").digest())
    .digest();
  assert.equal(keys.split(":")[0], stored.toString("base64"));
  assert.equal(
    keys.split(":")[1],
    createHmac("sha256", salted).update("Server Key").digest().toString("base64"),
  );
  const pws = new Set(Array.from({ length: 50 }, () => newPassword()));
  assert.equal(pws.size, 50);
  for (const p of pws) assert.match(p, /^[A-Za-z0-9]{32}$/);
});

const node = (address: string, pool: string, extra: Partial<NodeRecord> = {}): NodeRecord => ({
  address,
  pool,
  metadata: {},
  engineId: address,
  engineName: address,
  labels: {},
  cpus: 2,
  memory: 2 * 2 ** 30,
  disabled: false,
  health: { state: "healthy" } as NodeRecord["health"],
  createdAt: new Date(),
  updatedAt: new Date(),
  ...extra,
});
const pool = (name: string, isDefault = false): Pool =>
  ({ name, isDefault, isPublic: false, provisioner: "" }) as Pool;
const row = (n: string, port: number): ServiceContainerRecord =>
  ({
    uuid: `u${port}`,
    service: "postgresql",
    instance: `i${port}`,
    node: n,
    hostPort: port,
    memory: 2 ** 28,
    phase: "running",
  }) as ServiceContainerRecord;

const input = (over: Record<string, unknown> = {}) => ({
  service: "postgresql",
  team: "devs",
  pool: "",
  memory: 256 * 2 ** 20,
  uuid: "new",
  pools: [pool("main", true), pool("gold")],
  constraints: [{ poolExpr: "gold", field: "team" as const, values: ["vip"], blacklist: false }],
  nodes: [
    node("https://10.0.0.1:2376", "main"),
    node("https://10.0.0.2:2376", "main"),
    node("https://10.0.0.3:2376", "gold"),
  ],
  units: [],
  reserved: new Map<string, number>(),
  containers: [row("https://10.0.0.1:2376", 20001)],
  ...over,
});

test("placement: the team's pool, spread away from other instances, never an unhealthy node or another pool", () => {
  const i = input();
  assert.equal(choosePoolFor(i), "main");
  assert.equal(chooseNode(i, "main"), "https://10.0.0.2:2376");
  const sick = input({
    nodes: [
      node("https://10.0.0.1:2376", "main"),
      node("https://10.0.0.2:2376", "main", { health: { state: "unhealthy" } as NodeRecord["health"] }),
    ],
  });
  assert.equal(chooseNode(sick, "main"), "https://10.0.0.1:2376");
  assert.throws(() => choosePoolFor(input({ pool: "gold" })), /not allowed to use pool "gold"/);
  assert.throws(
    () =>
      choosePoolFor(
        input({ constraints: [{ poolExpr: "main", field: "service", values: ["redis"], blacklist: false }] }),
      ),
    /Service "postgresql" is not allowed on pool "main"/,
  );
  // An app whose units' plan fills node 2 leaves no room for the instance's memory there.
  const full = input({
    units: [{ id: "u1", app: "big", process: "web", node: "https://10.0.0.2:2376", status: "started" }],
    reserved: new Map([["big", 2 * 2 ** 30 - 2 ** 20]]),
  });
  assert.equal(chooseNode(full, "main"), "https://10.0.0.1:2376");
  assert.throws(
    () => chooseNode(input({ nodes: [] }), "main"),
    (e: Error & { status?: number }) => /Cannot place the instance/.test(e.message),
  );
});

test("host ports: free ones of the range, the used ones skipped, a full range is a sentence", () => {
  const range = { from: 20000, to: 20002 };
  assert.equal(
    choosePort(new Set([20000]), range, () => 0),
    20001,
  );
  assert.equal(
    choosePort(new Set([20002]), range, () => 0.99),
    20000,
  );
  assert.throws(() => choosePort(new Set([20000, 20001, 20002]), range), /No free host port/);
  assert.deepEqual(portRangeFromEnv({}), { from: 20000, to: 29999 });
  assert.deepEqual(portRangeFromEnv({ WHARF_SERVICE_PORTS: "30000-30010" }), { from: 30000, to: 30010 });
  assert.throws(() => portRangeFromEnv({ WHARF_SERVICE_PORTS: "80-90" }), /invalid WHARF_SERVICE_PORTS/);
});

test("settings: which services are offered, and an image tag that changes with its folder", () => {
  assert.deepEqual(builtinKindsFromEnv({}), ["postgresql", "redis"]);
  assert.deepEqual(builtinKindsFromEnv({ WHARF_BUILTIN_SERVICES: "redis" }), ["redis"]);
  assert.deepEqual(builtinKindsFromEnv({ WHARF_BUILTIN_SERVICES: "none" }), []);
  assert.throws(
    () => builtinKindsFromEnv({ WHARF_BUILTIN_SERVICES: "mysql" }),
    /invalid WHARF_BUILTIN_SERVICES/,
  );
  const pg = imageSource("postgresql");
  assert.match(pg.tag, /^[0-9a-f]{12}$/);
  assert.notEqual(pg.tag, imageSource("redis").tag);
  assert.ok(pg.files.some((f) => f.name === "Dockerfile"));
});
