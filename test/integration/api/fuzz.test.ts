// Sends >= 5,000 generated and mutated requests across every route the server registers
// (cluster ones included: random methods, paths with odd segments, random bodies in every
// encoding, random tokens) and checks that nothing answers 5xx and the server still serves
// a normal request afterwards. The cluster's nodes and the broker are down (see
// harness({cluster: true})): a valid request that reaches one may get a 502/503 saying so,
// which is allowed only when the request really went out to such a machine.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { call, loginAs } from "./helpers.js";
import { APP, A, B, BROKER, CNAME, INST, S, SVC, outboundDuring, setUp, tearDown } from "./authz/setup.js";
import { initAdmin } from "../../../src/server/index.js";
import { hashPassword } from "../../../src/domain/secrets.js";

before(() => setUp({ bodyLimit: 32 * 1024 }));
after(tearDown);

const KEYS = [
  "name",
  "email",
  "password",
  "platform",
  "plan",
  "pool",
  "teamOwner",
  "description",
  "tag",
  "router",
  "routeropts.a",
  "Envs.0.Name",
  "Envs.0.Value",
  "Envs.1.Name",
  "Private",
  "NoRestart",
  "noRestart",
  "cname",
  "team",
  "limit",
  "default",
  "public",
  "force",
  "provisioner",
  "permission",
  "context",
  "token_id",
  "expires_in",
  "regenerate",
  "newname",
  "tags",
  "memory",
  "swap",
  "cpushare",
  "PoolExpr",
  "Field",
  "Values.0",
  "Blacklist",
  "append",
  "disabled",
  "user-create",
  "team-create",
  "old",
  "new",
  "confirm",
  "env",
  "kindname",
  "target.value",
  "running",
  "since",
  "skip",
  "user",
  "imageReset",
  "reason",
  "constraint",
  "certificate",
  "key",
  "id",
  "username",
  "owner",
  "teamowner",
  "parameters.size",
  "unbindall",
  "doc",
  "Name",
  "Config.Insecure",
  "Metadata.pool",
  "Metadata.zone",
  "Register",
  "Insecure",
  "Disable",
  "Enable",
  "Pool",
  "no-rebalance",
  "units",
  "process",
  "image",
  "origin",
  "message",
  "dockerfile",
  "dockerfile_content",
  "command",
  "once",
  "isolated",
  "app",
];
/**
 * Fields that make the server connect somewhere get loopback addresses only (the network
 * rule): the service API, the broken broker, the down node, a port nothing listens on.
 */
const ADDRESS_KEYS = ["endpoint", "URL", "Address", "Metadata.address"];

function arbitraries(routes: string[]) {
  const loopback = fc.constantFrom(S.api.url, S.broken.url, S.node, "http://127.0.0.1:1", "127.0.0.1:1", "");
  const segment = fc.oneof(
    // Mostly names that exist, so requests reach the objects behind the routes.
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        APP,
        "crimsonteam-app",
        A,
        B,
        "default",
        "python",
        "small",
        "team-member",
        "alice@example.com",
        "azure-ci",
        "AllowAll",
        SVC,
        INST,
        BROKER,
        `${BROKER}::x`,
        CNAME,
        encodeURIComponent(S.node),
        S.appEvent,
        S.runningEvent,
        "app.read",
        "v1",
      ),
    },
    fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s) || "x"),
    fc.constantFrom(
      "%00",
      "..",
      "%2e%2e",
      "a%2Fb",
      "%E0%A4%A",
      "%",
      "😀",
      "a".repeat(300),
      "0123456789abcdef01234567",
      "-1",
      "http://127.0.0.1:1",
    ),
  );
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      "",
      "true",
      "false",
      "-1",
      "0",
      "1",
      "99999999999999",
      "1G",
      "*",
      "a@b.co",
      "python:v2",
      "www.x.com",
      "1e9",
      "null",
      "FROM scratch\n",
      "127.0.0.1:1/never/pulled:v1",
      "zone==a",
      A,
      APP,
      "small",
      "default",
    ),
    fc.string({ maxLength: 40 }).map((s) => s.replace(/[^a-z0-9-]/g, "").slice(0, 20) || "ok"),
  );
  const fields = fc
    .tuple(
      fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(value, fc.array(value, { maxLength: 3 })), {
        maxKeys: 8,
      }),
      fc.dictionary(fc.constantFrom(...ADDRESS_KEYS), loopback, { maxKeys: 2 }),
    )
    .map(([a, b]) => ({ ...a, ...b }) as Record<string, string | string[]>);
  const jsonBody = fc.oneof(
    fields.map((f) => JSON.stringify(f)),
    fc.json(),
    fc.string({ maxLength: 50 }),
  );
  return fc.record({
    route: fc.constantFrom(...routes),
    method: fc.oneof(
      fc.constant(null),
      fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
    ),
    segs: fc.array(segment, { minLength: 4, maxLength: 4 }),
    prefix: fc.constantFrom("", "/1.0", "/1.4", "/1.7", "/9.99", "/1.0/1.0", "//1.0"),
    query: fields,
    body: fields,
    raw: jsonBody,
    encoding: fc.constantFrom("form", "json", "multipart", "raw", "none", "wrongtype"),
    // Mostly valid tokens, so most requests get past authentication into the routes.
    token: fc.oneof(
      { arbitrary: fc.constantFrom("admin", "alice"), weight: 6 },
      { arbitrary: fc.constant("bob"), weight: 2 },
      { arbitrary: fc.constantFrom("none", "garbage", "empty-bearer"), weight: 2 },
    ),
  });
}

type Req = ReturnType<typeof arbitraries> extends fc.Arbitrary<infer T> ? T : never;

function build(r: Req, tokens: Record<string, string>) {
  const [routeMethod, routeUrl] = r.route.split(" ") as [string, string];
  let i = 0;
  const path = routeUrl.replace(/:[a-zA-Z]+|\*/g, () => r.segs[i++ % r.segs.length]!);
  const method = r.method ?? routeMethod;
  // Removing one's own user would end the run's coverage: point user removal elsewhere.
  if (routeUrl === "/users" && method === "DELETE") r.query = { ...r.query, user: "nobody@example.com" };
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(r.query)) for (const x of Array.isArray(v) ? v : [v]) qs.append(k, x);
  const headers: Record<string, string> = {};
  const t =
    r.token === "empty-bearer"
      ? "bearer "
      : r.token === "none"
        ? ""
        : `bearer ${tokens[r.token] ?? "garbage"}`;
  if (t) headers.authorization = t;
  let payload: string | undefined;
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(r.body)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
  switch (r.encoding) {
    case "form":
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = form.toString();
      break;
    case "json":
      headers["content-type"] = "application/json";
      payload = r.raw;
      break;
    case "multipart": {
      const b = "fuzzBOUNDARY";
      headers["content-type"] = `multipart/form-data; boundary=${b}`;
      payload = Object.entries(r.body)
        .map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`)
        .join("");
      payload += r.raw.length % 2 ? `--${b}--\r\n` : r.raw; // sometimes truncated/garbled
      break;
    }
    case "raw":
      headers["content-type"] = "application/x-www-form-urlencoded";
      payload = r.raw;
      break;
    case "wrongtype":
      headers["content-type"] = "application/octet-stream";
      payload = r.raw;
      break;
  }
  return {
    method,
    url: `${r.prefix}${path}${qs.size ? `?${qs}` : ""}`,
    headers,
    payload: method === "GET" || method === "HEAD" ? undefined : payload,
  };
}

/** Logouts and password resets among the generated requests invalidate tokens: log in again. */
async function refresh(tokens: Record<string, string>): Promise<void> {
  for (const [who, email, pw] of [
    ["admin", "admin@example.com", "admin-password"],
    ["alice", "alice@example.com", "secret-pw"],
    ["bob", "bob@example.com", "secret-pw"],
  ] as const) {
    if (!(await S.h.store.findUser(email))) continue;
    await S.h.store.updateUserPassword(email, await hashPassword(pw));
    tokens[who] = await loginAs(S.h.app, email, pw);
  }
}

/** A down node or broker is not the client's mistake: 502/503 with a sentence, when one was reached. */
const DOWN = /did not answer|could not reach|not reachable|refused|reset|timed out/i;

test("fuzz: 5,000+ generated and mutated requests on every route never get a 5xx and the server keeps answering", async () => {
  const routes = S.h.app.routeTable.map((r) => `${r.method} ${r.url}`);
  const tokens: Record<string, string> = {
    admin: S.w.admin,
    alice: S.w.alice,
    bob: S.w.bob,
    garbage: "deadbeef",
  };
  const statuses = new Map<number, number>();
  const hits = new Map<string, number>();
  let sent = 0;
  let down = 0;
  const failures: string[] = [];
  await fc.assert(
    fc.asyncProperty(arbitraries(routes), async (r) => {
      if (sent % 200 === 0) await refresh(tokens);
      const req = build(r, tokens);
      const { value: res, outbound } = await outboundDuring(() =>
        S.h.app.inject({
          method: req.method as "GET",
          url: req.url,
          headers: req.headers,
          ...(req.payload !== undefined ? { payload: req.payload } : {}),
        }),
      );
      sent++;
      hits.set(r.route, (hits.get(r.route) ?? 0) + 1);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      // A HEAD answer has no body to carry the sentence; its GET twin is checked the same way.
      const said = req.method === "HEAD" || DOWN.test(res.body);
      const reachedDown = (res.statusCode === 502 || res.statusCode === 503) && outbound > 0 && said;
      if (reachedDown) down++;
      else if (res.statusCode >= 500)
        failures.push(`${req.method} ${req.url} ${res.statusCode} ${res.body.slice(0, 200)}`);
      return res.statusCode < 500 || reachedDown;
    }),
    { numRuns: 6000, seed: Number(process.env.FUZZ_SEED ?? 424242), endOnFailure: true },
  );
  assert.deepEqual(failures, []);
  assert.ok(sent >= 5000, `sent ${sent}`);
  const missed = routes.filter((r) => !hits.has(r));
  assert.deepEqual(missed, [], "every registered route got generated requests");
  // The fuzzer may have logged the admin out or removed it: a fresh admin must still work.
  await initAdmin(S.h.store, "admin2@example.com", "another-password");
  const fresh = await loginAs(S.h.app, "admin2@example.com", "another-password");
  const ok = await call(S.h.app, "GET", "/1.0/users/info", { token: fresh });
  assert.equal(ok.status, 200);
  assert.equal((await call(S.h.app, "GET", "/healthcheck")).body, "WORKING");
  console.log(
    `fuzz: ${sent} requests over ${routes.length} routes; ${down} reached a down node or broker; ` +
      `statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
  );
});
