// Event webhooks deliver to real HTTP targets on loopback: each call signed with the hook's secret
// (HMAC-SHA256 of "<timestamp>.<body>"), no secret in the body, retried with backoff when the
// target fails, only events of the hook's team unless an admin set it up, a body template
// rendered; and a target that hangs never holds up the operations whose events it is told of.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { call, harness, world, type Harness, type World } from "./helpers.js";

interface Received {
  path: string;
  method: string;
  headers: IncomingMessage["headers"];
  body: string;
}

let h: Harness;
let w: World;
let target: Server;
let base = "";
const received: Received[] = [];
const hanging: ServerResponse[] = [];
const flakyLeft = new Map<string, number>();

before(async () => {
  target = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ path, method: req.method ?? "", headers: req.headers, body });
      if (path.startsWith("/hang")) return void hanging.push(res);
      if (path.startsWith("/fail")) return void res.writeHead(500).end("broken");
      const left = flakyLeft.get(path) ?? 0;
      if (left > 0) {
        flakyLeft.set(path, left - 1);
        return void res.writeHead(503).end("try later");
      }
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
  // Retries a few milliseconds apart; a hanging call is given a whole minute.
  h = await harness({ webhookAttempts: 3, webhookRetryMs: 5, webhookTimeoutMs: 60_000 });
  w = await world(h.app);
});
after(async () => {
  await h?.close();
  target.closeAllConnections();
  await new Promise((r) => target.close(r));
});

const to = (path: string) => received.filter((r) => r.path === path);
const idle = () => h.app.webhooks!.idle();

async function hook(token: string, body: Record<string, unknown>): Promise<string> {
  const r = await call(h.app, "POST", "/1.6/events/webhooks", { token, json: body });
  assert.equal(r.status, 201, r.body);
  return (r.json() as { signing_secret: string }).signing_secret;
}

const describe = (token: string, app: string, description: string) =>
  call(h.app, "PUT", `/1.0/apps/${app}`, {
    token,
    form: { description, imageReset: "false", plan: "", platform: "", pool: "", teamOwner: "" },
  });

test("a matching event is POSTed as JSON, signed with the hook's secret, which the body never holds", async () => {
  const secret = await hook(w.alice, {
    name: "signed",
    url: `${base}/signed`,
    team_owner: "blue",
    event_filter: { kind_names: ["app.update"] },
  });
  assert.equal((await describe(w.alice, "blue-app", "first")).status, 200);
  await idle();
  const calls = to("/signed");
  assert.equal(calls.length, 1);
  const c = calls[0]!;
  assert.equal(c.method, "POST");
  assert.equal(c.headers["content-type"], "application/json");
  const event = JSON.parse(c.body) as {
    UniqueID: string;
    Kind: { Name: string };
    Target: { Type: string; Value: string };
    Owner: { Name: string };
    Error: string;
  };
  assert.equal(event.Kind.Name, "app.update.description");
  assert.deepEqual(event.Target, { Type: "app", Value: "blue-app" });
  assert.equal(event.Owner.Name, "alice@example.com");
  assert.equal(c.headers["x-wharf-event-id"], event.UniqueID);
  const ts = String(c.headers["x-wharf-timestamp"]);
  assert.match(ts, /^\d+$/);
  const expected = `sha256=${createHmac("sha256", secret).update(`${ts}.${c.body}`).digest("hex")}`;
  assert.equal(c.headers["x-wharf-signature-256"], expected);
  assert.ok(!c.body.includes(secret) && !JSON.stringify(c.headers).includes(secret));
  // Events of another kind, and of another team's app, don't call it.
  await call(h.app, "POST", "/1.0/apps/blue-app/routes", { token: w.alice });
  await describe(w.bob, "red-app", "not blue's");
  await idle();
  assert.equal(to("/signed").length, 1);
});

test("a team's hook hears only its team's events; one an admin set up hears every team's", async () => {
  await hook(w.bob, { name: "red-all", url: `${base}/red-all`, team_owner: "red" });
  await hook(w.admin, {
    name: "admin-watch",
    url: `${base}/admin-watch`,
    team_owner: "red",
    event_filter: { target_values: ["blue-app"] },
  });
  await describe(w.alice, "blue-app", "second");
  await idle();
  assert.equal(to("/red-all").length, 0, "bob's hook never hears of blue-app");
  assert.equal(to("/admin-watch").length, 1);
  await describe(w.bob, "red-app", "red's");
  await idle();
  assert.equal(to("/red-all").length, 1);
  // Once bob rewrites the admin's hook it hears what bob may read: red's events only.
  const cur = (await call(h.app, "GET", "/1.6/events/webhooks/admin-watch", { token: w.bob })).json();
  assert.equal(
    (await call(h.app, "PUT", "/1.6/events/webhooks/admin-watch", { token: w.bob, json: cur })).status,
    200,
  );
  await describe(w.alice, "blue-app", "third");
  await idle();
  assert.equal(to("/admin-watch").length, 1);
  for (const name of ["red-all", "admin-watch"])
    await call(h.app, "DELETE", `/1.6/events/webhooks/${name}`, { token: w.bob });
});

test("a failing target is retried with backoff, the same delivery each time, up to the attempts", async () => {
  flakyLeft.set("/flaky", 2);
  await hook(w.alice, {
    name: "flaky",
    url: `${base}/flaky`,
    team_owner: "blue",
    event_filter: { kind_names: ["app.update"] },
  });
  await hook(w.alice, {
    name: "broken",
    url: `${base}/fail`,
    team_owner: "blue",
    event_filter: { kind_names: ["app.update"] },
  });
  await describe(w.alice, "blue-app", "fourth");
  await idle();
  const flaky = to("/flaky");
  assert.equal(flaky.length, 3, "two failures, then the answer that counts");
  assert.equal(new Set(flaky.map((c) => c.headers["x-wharf-delivery"])).size, 1);
  assert.equal(new Set(flaky.map((c) => c.body)).size, 1);
  assert.equal(to("/fail").length, 3, "given up after 3 attempts");
  for (const name of ["flaky", "broken", "signed"])
    await call(h.app, "DELETE", `/1.6/events/webhooks/${name}`, { token: w.alice });
});

test("a body template and method are used as given; the event's secrets never reach a hook", async () => {
  const secret = await hook(w.admin, {
    name: "templated",
    url: `${base}/templated`,
    team_owner: "blue",
    method: "PUT",
    body: "{{.Kind.Name}} on {{.Target.Value}} by {{.Owner.Name}}",
    event_filter: { kind_names: ["user.create"] },
  });
  const r = await call(h.app, "POST", "/1.0/users", {
    token: w.admin,
    form: { email: "carol@example.com", password: "carols-secret-pw" },
  });
  assert.equal(r.status, 201, r.body);
  await idle();
  const [c] = to("/templated");
  assert.equal(c?.method, "PUT");
  assert.equal(c?.body, "user.create on carol@example.com by admin@example.com");
  const ts = String(c!.headers["x-wharf-timestamp"]);
  assert.equal(
    c!.headers["x-wharf-signature-256"],
    `sha256=${createHmac("sha256", secret).update(`${ts}.${c!.body}`).digest("hex")}`,
  );
  assert.ok(!received.some((x) => x.body.includes("carols-secret-pw")));
  await call(h.app, "DELETE", "/1.6/events/webhooks/templated", { token: w.admin });
});

// A call to the stuck target ends only after a minute (webhookTimeoutMs): an operation that
// waited for it could not finish within this test's 30 s.
test(
  "a target that never answers holds up no operation, nor the other hooks of the same events",
  { timeout: 30_000 },
  async () => {
    await hook(w.alice, {
      name: "stuck",
      url: `${base}/hang`,
      team_owner: "blue",
      event_filter: { kind_names: ["app.update"] },
    });
    await hook(w.alice, {
      name: "healthy",
      url: `${base}/healthy`,
      team_owner: "blue",
      event_filter: { kind_names: ["app.update"] },
    });
    for (const d of ["h1", "h2"]) assert.equal((await describe(w.alice, "blue-app", d)).status, 200);
    // Both operations answered; their calls to the stuck target arrive and are never answered,
    // while the healthy hook is told of both.
    while (to("/hang").length < 2 || to("/healthy").length < 2) await new Promise((r) => setTimeout(r, 20));
    assert.equal(hanging.length, 2, "both calls to the stuck target are still open");
    const info = await call(h.app, "GET", "/1.0/apps/blue-app", { token: w.alice });
    assert.equal((info.json() as { description: string }).description, "h2");
  },
);
