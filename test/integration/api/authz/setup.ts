// The world the authorization matrix and the fuzz test run in: a server with every route
// group (cluster ones included, see harness({cluster: true})), two teams with one member
// each, and one object of every kind owned by team A, so each route has something real to
// act on or refuse.
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import {
  call,
  deadPort,
  harness,
  loginAs,
  world,
  type CountingNodeConnector,
  type Harness,
  type Res,
  type World,
} from "../helpers.js";
import { fakeServiceApi, type FakeServiceApi } from "../../services/fake-service-api.js";
import { makeCert } from "../../router/cert-helpers.js";
import type { WharfConfig } from "../../../../src/config/config.js";

export type Who = "admin" | "member" | "outsider" | "none" | "garbage" | "removed";
export const WHO: Who[] = ["admin", "member", "outsider", "none", "garbage", "removed"];
/** Callers whose request must never get past authorization. */
export const REFUSED: Who[] = ["outsider", "none", "garbage", "removed"];

export interface Case {
  /** The routes (fastify's "METHOD /url") this case exercises. */
  routes: string[];
  /** What the case shows, when one route has several cases. */
  note?: string;
  /** Makes what the call needs (as admin or the member); not counted as the caller's doing. */
  prepare?: (n: string, who: Who) => Promise<unknown>;
  /** Performs the call for `who` (n is a per-call unique suffix, the same as prepare's). */
  run: (token: string | undefined, who: Who, n: string) => Promise<Res>;
  expect: Partial<Record<Who, number>> & { admin: number; member: number; outsider: number };
  /** Auth not required: unauthenticated callers get this status instead of 401. */
  anon?: number;
  /** Names the request itself carries: an error may echo them back (that's not a leak). */
  echo?: string[];
  /** Callers whose call must reach a node's Docker engine (proves the counter sees it). */
  engine?: Who[];
  /** Callers whose call must reach the service API (proves the broker counter sees it). */
  broker?: Who[];
}

export const A = "azureteam";
export const B = "crimsonteam";
/** A third team, given access to team A's objects by the cases that grant and revoke. */
export const C = "amberteam";
export const APP = `${A}-app`;
export const SVC = "azuredb";
export const INST = "azure-inst";
export const BROKER = "azure-broker";
export const CNAME = "azure.example.com";

export interface World2 {
  h: Harness & { connector: CountingNodeConnector };
  w: World;
  api: FakeServiceApi;
  tokens: Record<Who, string | undefined>;
  /** app.create event of APP. */
  appEvent: string;
  /** A running, cancelable event on APP. */
  runningEvent: string;
  /** A registered node (nothing listens there). */
  node: string;
  cert: { cert: string; key: string };
  dir: string;
  /** A loopback machine that accepts connections and resets them: the broker's address. */
  broken: { url: string; connections: number; server: Server };
}

/** Filled by setUp(); cases read it when they run. */
export const S = {} as World2;

/** Calls that went to a machine (node engine, service API, broker) while `fn` ran. */
export async function outboundDuring<T>(fn: () => Promise<T>): Promise<{ value: T; outbound: number }> {
  const before = S.h.connector.engineCalls + S.api.seen.length + S.broken.connections;
  const value = await fn();
  return { value, outbound: S.h.connector.engineCalls + S.api.seen.length + S.broken.connections - before };
}

async function brokenMachine(): Promise<World2["broken"]> {
  const b = { url: "", connections: 0 } as World2["broken"];
  b.server = createServer((sock) => {
    b.connections++;
    sock.resetAndDestroy();
  });
  await new Promise<void>((r) => b.server.listen(0, "127.0.0.1", r));
  b.url = `http://127.0.0.1:${(b.server.address() as { port: number }).port}`;
  return b;
}

export async function setUp(overrides: Partial<WharfConfig> = {}): Promise<void> {
  // With the Docker endpoint configured, so its management routes are registered (and checked).
  const h = await harness({ dockerApiPort: 0, ...overrides }, { cluster: true });
  S.broken = await brokenMachine();
  S.h = h as World2["h"];
  S.dir = mkdtempSync(join(tmpdir(), "wharf-authz-"));
  S.w = await world(h.app, A, B);
  const w = S.w;
  const removed = await loginAs(h.app, "bob@example.com", "secret-pw");
  await call(h.app, "DELETE", "/1.0/users/tokens", { token: removed });
  S.tokens = {
    admin: w.admin,
    member: w.alice,
    outsider: w.bob,
    none: undefined,
    garbage: "f00ba5",
    removed,
  };
  const must = async (p: Promise<Res>, what: string) => {
    const r = await p;
    assert.ok(r.status < 300, `${what}: ${r.status} ${r.body}`);
    return r;
  };
  const a = w.admin;
  await must(call(h.app, "POST", "/1.0/teams", { token: a, json: { name: C } }), "team C");
  await must(admin("POST", "/1.0/pools", { name: "azure-pool" }), "pool");
  await must(admin("POST", "/1.0/pools/azure-pool/team", { team: A }), "pool team");
  await must(
    call(h.app, "POST", "/1.6/tokens", { token: w.alice, json: { token_id: "azure-ci", team: A } }),
    "team token",
  );
  await must(admin("POST", "/1.0/roles", { name: "scratch", context: "team" }), "role");
  const evs = (
    await call(h.app, "GET", `/1.1/events?kindname=app.create&target.value=${APP}`, { token: a })
  ).json() as { UniqueID: string }[];
  S.appEvent = evs[0]!.UniqueID;
  S.runningEvent = (
    await h.store.createEvent({
      kind: { type: "permission", name: "app.deploy" },
      target: { type: "app", value: APP },
      owner: { type: "user", name: "alice@example.com" },
      lock: false,
      cancelable: true,
    })
  ).id;
  // A tsuru service API on loopback owned by team A, with one instance of team A.
  S.api = await fakeServiceApi();
  await must(
    admin("POST", "/1.0/services", {
      id: SVC,
      username: SVC,
      password: "svc-pass-1",
      endpoint: S.api.url,
      team: A,
    }),
    "service",
  );
  await must(
    call(h.app, "POST", `/1.0/services/${SVC}/instances`, {
      token: w.alice,
      form: { name: INST, plan: "small", owner: A },
    }),
    "instance",
  );
  await must(
    call(h.app, "POST", "/1.7/brokers", {
      token: a,
      json: { Name: BROKER, URL: S.broken.url },
    }),
    "broker",
  );
  S.node = `http://127.0.0.1:${await deadPort()}`;
  await h.store.createNode(nodeRecord(S.node));
  await must(admin("POST", `/1.0/apps/${APP}/cname`, { cname: CNAME }), "cname");
  S.cert = makeCert(S.dir, CNAME);
}

export function nodeRecord(address: string) {
  return {
    address,
    pool: "default",
    metadata: {},
    engineId: `engine-${address}`,
    engineName: "down",
    labels: {},
    cpus: 2,
    memory: 2 ** 30,
    disabled: false,
  };
}

export async function tearDown(): Promise<void> {
  await S.h?.close();
  await S.api?.close();
  await new Promise((r) => S.broken?.server.close(r));
}

const opt = (t: string | undefined) => (t ? { token: t } : {});
export const get = (url: string) => (t: string | undefined) => call(S.h.app, "GET", url, opt(t));
export const del = (url: string) => (t: string | undefined) => call(S.h.app, "DELETE", url, opt(t));
export const form =
  (method: string, url: string, f: Record<string, string | string[]>) => (t: string | undefined) =>
    call(S.h.app, method, url, { ...opt(t), form: f });
export const json = (method: string, url: string, body: unknown) => (t: string | undefined) =>
  call(S.h.app, method, url, { ...opt(t), json: body });
export const admin = (method: string, url: string, f?: Record<string, string | string[]>) =>
  call(S.h.app, method, url, f ? { token: S.w.admin, form: f } : { token: S.w.admin });

export const ALL200 = { admin: 200, member: 200, outsider: 200 };
export const ADMIN_ONLY = (ok: number, member = 403, outsider = 403) => ({ admin: ok, member, outsider });
export const TEAM = (ok: number, outsider = 403) => ({ admin: ok, member: ok, outsider });
