// Shared setup: a server on a fresh SQLite store, an admin, two teams with one member
// each, and helpers to call the API through fastify.inject.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import type { FastifyInstance } from "fastify";
import { openStore } from "../../../src/store/open.js";
import type { Store } from "../../../src/store/types.js";
import { createServer, initAdmin, type WharfServer } from "../../../src/server/index.js";
import { loadConfig, type WharfConfig } from "../../../src/config/config.js";
import { DockerNodeConnector } from "../../../src/cluster/nodes/connector.js";
import { createServer as createTcpServer } from "node:net";
import type { Engine } from "../../../src/cluster/docker/engine.js";

export interface Harness {
  app: WharfServer;
  store: Store;
  config: WharfConfig;
  dir: string;
  close(): Promise<void>;
}

/**
 * The real node connector (plain-http engines, no TLS) with a count of every call that
 * reaches a Docker engine, so a test can tell that a request got no further than
 * authorization. Nothing listens at the nodes it is given: they are nodes that are down.
 */
export class CountingNodeConnector extends DockerNodeConnector {
  engineCalls = 0;
  override engineFor(address: string): Engine {
    this.engineCalls++;
    return super.engineFor(address);
  }
  override probe(address: string) {
    this.engineCalls++;
    return super.probe(address);
  }
  override watch(address: string): void {
    this.engineCalls++;
    super.watch(address);
  }
}

/** A loopback port nothing listens on (bound, then closed). */
export async function deadPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface HarnessOptions {
  /**
   * Serve every route group, the cluster ones included (nodes, deploys, units): the real
   * node connector and deploy context, with a registry and nodes on loopback ports nothing
   * listens on. Requests that get past authorization reach Docker clients that fail to
   * connect, as they would with every node down; `connector.engineCalls` counts them.
   */
  cluster?: boolean;
  /** The store to run on (default: SQLite, or PostgreSQL when WHARF_API_TEST_PG=1). */
  store?: "sqlite" | "postgres";
}

export async function harness(
  overrides: Partial<WharfConfig> = {},
  opts: HarnessOptions = {},
): Promise<Harness & { connector?: CountingNodeConnector }> {
  const dir = mkdtempSync(join(tmpdir(), "wharf-api-"));
  // WHARF_API_TEST_PG=1 (with WHARF_TEST_PG_URL) runs the API suites on PostgreSQL instead.
  const pgUrl = process.env.WHARF_TEST_PG_URL;
  if (opts.store === "postgres" && !pgUrl) throw new Error("set WHARF_TEST_PG_URL to run on PostgreSQL");
  const pg =
    opts.store === "postgres" ? pgUrl : opts.store === undefined && process.env.WHARF_API_TEST_PG && pgUrl;
  const schema = `api_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const store = pg
    ? await openStore({ kind: "postgres", url: pg, schema, poolSize: 10 })
    : await openStore({ kind: "sqlite", path: join(dir, "wharf.db"), synchronous: "NORMAL" });
  const registry = opts.cluster ? { registry: `127.0.0.1:${await deadPort()}` } : {};
  const config = loadConfig({}, { dataDir: dir, logLevel: "silent", ...registry, ...overrides });
  await initAdmin(store, "admin@example.com", "admin-password");
  const connector = opts.cluster ? new CountingNodeConnector({ tls: null, probeTimeoutMs: 2000 }) : undefined;
  const app = await createServer({
    store,
    config,
    logger: pino({ level: "silent" }),
    ...(connector ? { nodeConnector: connector, engines: connector } : {}),
  });
  return {
    app,
    ...(connector ? { connector } : {}),
    store,
    config,
    dir,
    close: async () => {
      connector?.stop();
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      if (pg) {
        const { default: pgmod } = await import("pg");
        const c = new pgmod.Client({ connectionString: pg });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c.end();
      }
    },
  };
}

export interface Res {
  status: number;
  body: string;
  json: () => unknown;
  headers: Record<string, unknown>;
}

export async function call(
  app: FastifyInstance,
  method: string,
  url: string,
  opts: {
    token?: string;
    form?: Record<string, string | string[]>;
    json?: unknown;
    headers?: Record<string, string>;
    payload?: string | Buffer;
  } = {},
): Promise<Res> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `bearer ${opts.token}`;
  let payload: string | Buffer | undefined = opts.payload;
  if (opts.form) {
    const sp = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.form))
      for (const x of Array.isArray(v) ? v : [v]) sp.append(k, x);
    payload = sp.toString();
    headers["content-type"] = "application/x-www-form-urlencoded";
  } else if (opts.json !== undefined) {
    payload = JSON.stringify(opts.json);
    headers["content-type"] = "application/json";
  }
  const r = await app.inject({
    method: method as "GET",
    url,
    headers,
    ...(payload !== undefined ? { payload } : {}),
  });
  return { status: r.statusCode, body: r.body, json: () => JSON.parse(r.body), headers: r.headers };
}

export async function loginAs(app: FastifyInstance, email: string, password: string): Promise<string> {
  const r = await call(app, "POST", `/1.0/users/${email}/tokens`, { form: { password } });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.body}`);
  return (r.json() as { token: string }).token;
}

export interface World {
  admin: string;
  alice: string; // member of team "blue", owns app "blue-app"
  bob: string; // member of team "red", owns app "red-app"
}

/** Admin creates a default pool, a plan, a platform and users alice and bob; each creates a team and an app. */
export async function world(app: FastifyInstance, teamA = "blue", teamB = "red"): Promise<World> {
  const admin = await loginAs(app, "admin@example.com", "admin-password");
  const must = async (p: Promise<Res>, what: string): Promise<void> => {
    const r = await p;
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.body}`);
  };
  await must(
    call(app, "POST", "/1.0/pools", {
      token: admin,
      form: { name: "default", default: "true", public: "false", force: "false", provisioner: "" },
    }),
    "pool",
  );
  await must(
    call(app, "POST", "/1.0/plans", {
      token: admin,
      form: { name: "small", memory: "128M", swap: "0", cpushare: "100", default: "true" },
    }),
    "plan",
  );
  // With a cluster, platform add builds an image on a node: record the platform directly.
  const server = app as Partial<WharfServer>;
  if (server.deploy) await server.ctx!.store.createPlatform({ name: "python" });
  else
    await must(call(app, "POST", "/1.0/platforms", { token: admin, form: { name: "python" } }), "platform");
  for (const [u, team] of [
    ["alice@example.com", teamA],
    ["bob@example.com", teamB],
  ] as const) {
    await must(
      call(app, "POST", "/1.0/users", { token: admin, form: { email: u, password: "secret-pw" } }),
      "user",
    );
    const t = await loginAs(app, u, "secret-pw");
    await must(call(app, "POST", "/1.0/teams", { token: t, json: { name: team } }), "team");
    await must(
      call(app, "POST", "/1.0/apps", {
        token: t,
        form: {
          name: `${team}-app`,
          platform: "python",
          plan: "",
          pool: "",
          teamOwner: team,
          description: "",
          router: "",
          routeropts: "",
        },
      }),
      "app",
    );
  }
  return {
    admin,
    alice: await loginAs(app, "alice@example.com", "secret-pw"),
    bob: await loginAs(app, "bob@example.com", "secret-pw"),
  };
}
