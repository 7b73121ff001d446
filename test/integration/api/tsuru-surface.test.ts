// The rest of tsuru's client surface, each command as the stock tsuru 1.7 client sends it
// (tsuru-api.md §3-4: path and version prefix, form or JSON exactly as the client encodes it) and
// each answer checked for what that client reads: exact map keys, JSON types, the statuses it
// acts on (409 → "replace it?" then force=true; 204 or 200-only lists).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { get as httpGet } from "node:http";
import { call, harness, world, type Harness, type Res, type World } from "./helpers.js";
import { ed25519Key, rsaKey } from "../../support/ssh-key.js";
import { recordHealEvent } from "../../../src/provision/docker/heal/app-queue.js";

let h: Harness;
let w: World;
before(async () => {
  h = await harness();
  w = await world(h.app);
});
after(async () => h.close());

const HEX24 = /^[0-9a-f]{24}$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** What the client prints after "Error: ": a sentence ending in a newline. */
function sentence(r: Res, status: number, pattern: RegExp): void {
  assert.equal(r.status, status, r.body);
  assert.match(String(r.headers["content-type"]), /^text\/plain/);
  assert.ok(r.body.endsWith("\n") && r.body.trim().length > 15, JSON.stringify(r.body));
  assert.match(r.body, pattern);
}

/** go-tsuruclient's JSON requests: the body ends with a newline, Accept names JSON. */
const gen = (method: string, url: string, token: string, body?: unknown) =>
  call(h.app, method, url, {
    token,
    headers: {
      accept: "application/json",
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
    },
    ...(body !== undefined ? { payload: `${JSON.stringify(body)}\n` } : {}),
  });

test("key-add, key-list, key-remove: a map of name to key; 409 on a taken name until force=true", async () => {
  const k1 = ed25519Key("alice@laptop").line;
  const add = (name: string, key: string, force = "false") =>
    call(h.app, "POST", "/1.0/users/keys", { token: w.alice, form: { force, key, name } });
  assert.equal((await add("laptop", k1)).status, 200);
  assert.deepEqual((await call(h.app, "GET", "/1.0/users/keys", { token: w.alice })).json(), {
    laptop: k1,
  });
  // The client asks "Do you want to replace it?" on a 409 and repeats with force=true.
  const k2 = rsaKey(2048);
  sentence(await add("laptop", k2), 409, /key "laptop" already exists/);
  assert.equal((await add("laptop", k2, "true")).status, 200);
  assert.deepEqual((await call(h.app, "GET", "/1.0/users/keys", { token: w.alice })).json(), {
    laptop: k2,
  });
  // A key names one user: bob can't register alice's key, and sees only his own (none).
  sentence(
    await call(h.app, "POST", "/1.0/users/keys", {
      token: w.bob,
      form: { force: "true", key: k2, name: "stolen" },
    }),
    400,
    /belongs to another Wharf user/,
  );
  assert.deepEqual((await call(h.app, "GET", "/1.0/users/keys", { token: w.bob })).json(), {});
  assert.equal((await call(h.app, "DELETE", "/1.0/users/keys/laptop", { token: w.alice })).status, 200);
  assert.deepEqual((await call(h.app, "GET", "/1.0/users/keys", { token: w.alice })).json(), {});
  sentence(
    await call(h.app, "DELETE", "/1.0/users/keys/laptop", { token: w.alice }),
    404,
    /Key "laptop" not found/,
  );
});

test("key-add refuses what is not a public key, naming the mistake", async () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ force: "false", key: "hello world", name: "k" }, /unknown key type/],
    [{ force: "false", key: "-----BEGIN OPENSSH PRIVATE KEY-----", name: "k" }, /private key must never/],
    [{ force: "false", key: rsaKey(1024), name: "k" }, /1024 bits is too weak/],
    [{ force: "false", key: ed25519Key().line, name: "" }, /give the key a name/],
    [{ force: "false", key: ed25519Key().line, name: "bad name!" }, /Invalid key name/],
    [{ force: "false", key: "", name: "k" }, /give the public key/],
  ];
  for (const [form, re] of cases)
    sentence(await call(h.app, "POST", "/1.0/users/keys", { token: w.alice, form }), 400, re);
});

test("event-block-add/list/remove: a block refuses matching events with its reason as a 403, and is lifted", async () => {
  const add = await call(h.app, "POST", "/1.3/events/blocks", {
    token: w.admin,
    form: {
      Active: "",
      EndTime: "",
      ID: "",
      KindName: "app.update",
      OwnerName: "",
      Reason: "release freeze",
      StartTime: "",
      "Target.Type": "app",
      "Target.Value": "blue-app",
    },
  });
  assert.equal(add.status, 200, add.body);
  const list = await call(h.app, "GET", "/1.3/events/blocks", { token: w.admin });
  assert.equal(list.status, 200);
  const blocks = list.json() as Array<Record<string, unknown>>;
  assert.equal(blocks.length, 1);
  const b = blocks[0]!;
  assert.match(String(b.ID), HEX24);
  assert.match(String(b.StartTime), RFC3339);
  assert.equal(b.EndTime, "0001-01-01T00:00:00Z");
  assert.deepEqual(
    { KindName: b.KindName, OwnerName: b.OwnerName, Target: b.Target, Reason: b.Reason, Active: b.Active },
    {
      KindName: "app.update",
      OwnerName: "",
      Target: { Type: "app", Value: "blue-app" },
      Reason: "release freeze",
      Active: true,
    },
  );
  const update = {
    description: "frozen?",
    imageReset: "false",
    plan: "",
    platform: "",
    pool: "",
    teamOwner: "",
  };
  // app-update is app.update.description: the block's kind is its prefix.
  const refused = await call(h.app, "PUT", "/1.0/apps/blue-app", { token: w.alice, form: update });
  sentence(refused, 403, /app\.update.* on app\(blue-app\).*release freeze.*event-block-remove/);
  // Another app is not blocked.
  assert.equal((await call(h.app, "PUT", "/1.0/apps/red-app", { token: w.bob, form: update })).status, 200);
  // The refusal is a finished event carrying the block's sentence, as in tsuru.
  const evs = (
    await call(h.app, "GET", "/1.1/events?target.type=app&target.value=blue-app", { token: w.admin })
  ).json() as Array<{ Kind: { Name: string }; Error: string; Running: boolean }>;
  assert.ok(evs.some((e) => e.Kind.Name.startsWith("app.update") && /release freeze/.test(e.Error)));
  assert.equal((await call(h.app, "GET", "/apps/blue-app", { token: w.alice })).status, 200);
  // Only active ones with active=true; removing it lifts it.
  const id = String(b.ID);
  assert.equal((await call(h.app, "DELETE", `/1.3/events/blocks/${id}`, { token: w.admin })).status, 200);
  assert.deepEqual(
    (await call(h.app, "GET", "/1.3/events/blocks?active=true", { token: w.admin })).json(),
    [],
  );
  const all = (await call(h.app, "GET", "/1.3/events/blocks", { token: w.admin })).json() as Array<{
    Active: boolean;
    EndTime: string;
  }>;
  assert.equal(all[0]!.Active, false);
  assert.notEqual(all[0]!.EndTime, "0001-01-01T00:00:00Z");
  assert.equal(
    (await call(h.app, "PUT", "/1.0/apps/blue-app", { token: w.alice, form: update })).status,
    200,
  );
});

test("event blocks: bad input is a 400 with a sentence; team members may not add or list blocks", async () => {
  const form = (f: Record<string, string>) =>
    call(h.app, "POST", "/1.3/events/blocks", {
      token: w.admin,
      form: { KindName: "", OwnerName: "", Reason: "r", "Target.Type": "", "Target.Value": "", ...f },
    });
  sentence(await form({ Reason: "" }), 400, /reason is required/);
  sentence(await form({ KindName: "App Deploy" }), 400, /Invalid kind/);
  sentence(await form({ "Target.Type": "spaceship" }), 400, /Invalid target type/);
  sentence(await form({ "Target.Value": "x" }), 400, /needs its type/);
  sentence(
    await call(h.app, "DELETE", "/1.3/events/blocks/not-an-id", { token: w.admin }),
    400,
    /24-character ID/,
  );
  sentence(
    await call(h.app, "DELETE", "/1.3/events/blocks/0123456789abcdef01234567", { token: w.admin }),
    404,
    /./,
  );
  assert.equal((await call(h.app, "GET", "/1.3/events/blocks", { token: w.alice })).status, 403);
  assert.equal((await form({})).status, 200);
  assert.equal(
    (
      await call(h.app, "POST", "/1.3/events/blocks", {
        token: w.alice,
        form: { Reason: "mine", KindName: "" },
      })
    ).status,
    403,
  );
  // That block (every kind, everyone, every target) would stop everything: lift it again.
  const [b] = (
    await call(h.app, "GET", "/1.3/events/blocks?active=true", { token: w.admin })
  ).json() as Array<{
    ID: string;
  }>;
  assert.equal((await call(h.app, "DELETE", `/1.3/events/blocks/${b!.ID}`, { token: w.admin })).status, 200);
});

test("event-webhook-create/list/update/delete speak go-tsuruclient's JSON; update is GET then PUT of the whole hook", async () => {
  assert.equal((await gen("GET", "/1.6/events/webhooks", w.alice)).status, 204, "none yet");
  const created = await gen("POST", "/1.6/events/webhooks", w.alice, {
    name: "deploys",
    url: "http://127.0.0.1:9/hook",
    team_owner: "blue",
    event_filter: { kind_names: ["app.deploy"], error_only: true },
    headers: { "X-A": ["1", "2"] },
  });
  assert.equal(created.status, 201, created.body);
  assert.match((created.json() as { signing_secret: string }).signing_secret, /^whsec_[0-9a-f]{64}$/);
  const list = await gen("GET", "/1.6/events/webhooks", w.alice);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json(), [
    {
      name: "deploys",
      description: "",
      team_owner: "blue",
      event_filter: {
        target_types: [],
        target_values: [],
        kind_types: [],
        kind_names: ["app.deploy"],
        error_only: true,
        success_only: false,
      },
      url: "http://127.0.0.1:9/hook",
      proxy_url: "",
      headers: { "X-A": ["1", "2"] },
      method: "POST",
      body: "",
      insecure: false,
    },
  ]);
  // The client's update: read the hook, merge the flags, send it all back.
  const cur = (await gen("GET", "/1.6/events/webhooks/deploys", w.alice)).json() as Record<string, unknown>;
  const put = await gen("PUT", "/1.6/events/webhooks/deploys", w.alice, {
    ...cur,
    description: "deploy failures",
    method: "PUT",
  });
  assert.equal(put.status, 200, put.body);
  const after = (await gen("GET", "/1.6/events/webhooks/deploys", w.alice)).json() as Record<string, unknown>;
  assert.equal(after.description, "deploy failures");
  assert.equal(after.method, "PUT");
  // Another team neither sees nor touches it.
  assert.equal((await gen("GET", "/1.6/events/webhooks", w.bob)).status, 204);
  assert.equal((await gen("GET", "/1.6/events/webhooks/deploys", w.bob)).status, 404);
  assert.equal((await gen("DELETE", "/1.6/events/webhooks/deploys", w.bob)).status, 404);
  assert.equal((await gen("DELETE", "/1.6/events/webhooks/deploys", w.alice)).status, 200);
  assert.equal((await gen("GET", "/1.6/events/webhooks", w.alice)).status, 204);
});

test("event webhooks: bad input is a 400 with a sentence and nothing is stored", async () => {
  const base = { name: "h1", url: "http://127.0.0.1:9/x", team_owner: "blue" };
  const cases: Array<[unknown, RegExp]> = [
    [{ ...base, name: "" }, /name must not be empty/],
    [{ ...base, name: "Bad Name" }, /Invalid webhook name/],
    [{ ...base, url: "" }, /url must not be empty/],
    [{ ...base, url: "ftp://x/y" }, /http:\/\/ or https:\/\//],
    [{ ...base, proxy_url: "nope" }, /proxy_url is not valid/],
    [{ ...base, method: "BREW" }, /Invalid webhook method/],
    [{ ...base, headers: { "X-Wharf-Signature-256": ["forged"] } }, /set by Wharf/],
    [{ ...base, headers: { "X-B": ["a\r\nInjected: 1"] } }, /one line/],
    [{ ...base, event_filter: { error_only: true, success_only: true } }, /exclude each other/],
    [{ ...base, event_filter: { kind_names: "app.deploy" } }, /must be a list of strings/],
    [{ ...base, insecure: "maybe" }, /must be true or false/],
    [[base], /JSON object/],
  ];
  for (const [body, re] of cases) sentence(await gen("POST", "/1.6/events/webhooks", w.alice, body), 400, re);
  sentence(await gen("POST", "/1.6/events/webhooks", w.alice, { ...base, team_owner: "red" }), 403, /./);
  assert.equal((await gen("GET", "/1.6/events/webhooks", w.alice)).status, 204);
});

test("tag-list reads GET /1.0/apps (no ?) and GET /1.0/services and always gets JSON arrays", async () => {
  await call(h.app, "PUT", "/1.0/apps/blue-app", {
    token: w.alice,
    form: {
      description: "",
      imageReset: "false",
      plan: "",
      platform: "",
      pool: "",
      teamOwner: "",
      tag: ["web", "eu"],
    },
  });
  const apps = await call(h.app, "GET", "/1.0/apps", { token: w.alice });
  assert.equal(apps.status, 200);
  assert.deepEqual(
    (apps.json() as Array<{ name: string; tags: string[] }>).map((a) => [a.name, a.tags]),
    [["blue-app", ["web", "eu"]]],
  );
  const services = await call(h.app, "GET", "/1.0/services", { token: w.alice });
  assert.equal(services.status, 200);
  assert.deepEqual(services.json(), []);
  // A user who sees no app gets [] on the bare path (tag-list decodes it) and 204 on app-list's "?".
  const t = await call(h.app, "POST", "/1.0/users", {
    token: w.admin,
    form: { email: "loner@example.com", password: "secret-pw" },
  });
  assert.equal(t.status, 201, t.body);
  const loner = (
    (
      await call(h.app, "POST", "/1.0/users/loner@example.com/tokens", { form: { password: "secret-pw" } })
    ).json() as { token: string }
  ).token;
  // Over real HTTP: an in-process request loses the bare "?" app-list sends.
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  const port = (h.app.server.address() as { port: number }).port;
  const raw = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpGet(
        { host: "127.0.0.1", port, path, headers: { authorization: `bearer ${loner}` } },
        (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
    });
  assert.deepEqual(await raw("/1.0/apps"), { status: 200, body: "[]" });
  assert.deepEqual(await raw("/1.0/apps?"), { status: 204, body: "" });
});

test("app-list carries each app's units and -s filters by unit status", async () => {
  const unit = (id: string, app: string, status: "started" | "stopped") =>
    h.store.createUnit({
      id,
      app,
      process: "web",
      version: 1,
      node: "https://10.9.9.9:2376",
      containerId: `c0ffee${id}`,
      host: "10.9.9.9",
      port: 32768,
      status,
      routable: status === "started",
      restartGen: 0,
      error: "",
    });
  await unit("u1", "blue-app", "started");
  await unit("u2", "blue-app", "stopped");
  await unit("u3", "red-app", "stopped");
  type Mini = { name: string; units: Array<{ ID: string; Status: string; Address: { Host: string } }> };
  const all = (await call(h.app, "GET", "/1.0/apps?", { token: w.admin })).json() as Mini[];
  const blue = all.find((a) => a.name === "blue-app")!;
  assert.deepEqual(blue.units.map((u) => [u.ID, u.Status]).sort(), [
    ["c0ffeeu1", "started"],
    ["c0ffeeu2", "stopped"],
  ]);
  assert.equal(blue.units[0]!.Address.Host, "10.9.9.9:32768");
  const started = (await call(h.app, "GET", "/1.0/apps?status=started", { token: w.admin })).json() as Mini[];
  assert.deepEqual(
    started.map((a) => a.name),
    ["blue-app"],
  );
  const stopped = (await call(h.app, "GET", "/1.0/apps?status=stopped", { token: w.admin })).json() as Mini[];
  assert.deepEqual(stopped.map((a) => a.name).sort(), ["blue-app", "red-app"]);
  assert.equal((await call(h.app, "GET", "/1.0/apps?status=asleep", { token: w.admin })).status, 204);
  // -q (simplified): names only, units as [].
  const names = (await call(h.app, "GET", "/1.0/apps?simplified=true", { token: w.admin })).json() as Mini[];
  assert.ok(names.every((a) => Array.isArray(a.units) && a.units.length === 0));
  sentence(
    await call(h.app, "GET", "/1.0/apps?status=running", { token: w.admin }),
    400,
    /Invalid unit status "running"/,
  );
  for (const id of ["u1", "u2", "u3"]) await h.store.deleteUnit(id);
});

test("docker-log-info/update: a map of pool to {Driver, LogOpts}, stored per pool", async () => {
  const info = await call(h.app, "GET", "/1.0/docker/logs", { token: w.admin });
  assert.equal(info.status, 200);
  assert.deepEqual(info.json(), {
    "": { Driver: "json-file", LogOpts: { "max-file": "3", "max-size": "10m" } },
  });
  const upd = await call(h.app, "POST", "/1.0/docker/logs", {
    token: w.admin,
    form: { Driver: "syslog", "LogOpts.tag": "{{.Name}}", pool: "default", restart: "false" },
  });
  assert.equal(upd.status, 200, upd.body);
  assert.match(String(upd.headers["content-type"]), /application\/x-json-stream/);
  const lines = upd.body
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { Message: string; Error?: string });
  assert.ok(lines.every((l) => !l.Error && l.Message.endsWith("\n")));
  assert.match(lines.map((l) => l.Message).join(""), /pool default saved: syslog/);
  assert.deepEqual((await call(h.app, "GET", "/1.0/docker/logs", { token: w.admin })).json(), {
    "": { Driver: "json-file", LogOpts: { "max-file": "3", "max-size": "10m" } },
    default: { Driver: "syslog", LogOpts: { tag: "{{.Name}}" } },
  });
  const bad = (f: Record<string, string>) =>
    call(h.app, "POST", "/1.0/docker/logs", { token: w.admin, form: { pool: "", restart: "false", ...f } });
  sentence(await bad({ Driver: "" }), 400, /log driver is mandatory/);
  sentence(await bad({ Driver: "bs", "LogOpts.a": "b" }), 400, /no bs log driver/);
  sentence(await bad({ Driver: "carrier-pigeon" }), 400, /Unknown log driver/);
  sentence(await bad({ Driver: "none", "LogOpts.a": "b" }), 400, /takes no options/);
  sentence(await bad({ Driver: "syslog", "LogOpts.Bad Key": "b" }), 400, /Invalid log option/);
  sentence(await bad({ Driver: "syslog", pool: "nope" }), 404, /Pool "nope" not found/);
  assert.equal((await call(h.app, "GET", "/1.0/docker/logs", { token: w.alice })).status, 403);
});

test('node-healing-info/update/delete: a map of pool to settings in seconds, inheriting the defaults of pool ""', async () => {
  type Healing = Record<
    string,
    {
      Enabled: boolean;
      MaxTimeSinceSuccess: number;
      MaxUnresponsiveTime: number;
      EnabledInherited: boolean;
      MaxTimeSinceSuccessInherited: boolean;
      MaxUnresponsiveTimeInherited: boolean;
    }
  >;
  const info = async () =>
    (await call(h.app, "GET", "/1.2/healing/node", { token: w.admin })).json() as Healing;
  const defaults = (await info())[""]!;
  assert.equal(typeof defaults.Enabled, "boolean");
  assert.ok(defaults.MaxUnresponsiveTime > 0);
  // node-healing-update -p default --max-unresponsive 60 (keys not given are left out).
  const upd = await call(h.app, "POST", "/1.2/healing/node", {
    token: w.admin,
    form: { MaxUnresponsiveTime: "60", pool: "default" },
  });
  assert.equal(upd.status, 200, upd.body);
  await call(h.app, "POST", "/1.2/healing/node", {
    token: w.admin,
    form: { Enabled: "false", MaxTimeSinceSuccess: "120", pool: "" },
  });
  const after = await info();
  assert.deepEqual(after.default, {
    Enabled: false,
    MaxTimeSinceSuccess: 120,
    MaxUnresponsiveTime: 60,
    EnabledInherited: true,
    MaxTimeSinceSuccessInherited: true,
    MaxUnresponsiveTimeInherited: false,
  });
  assert.equal(after[""]!.Enabled, false);
  // node-healing-delete -p default --max-unresponsive: back to inherited; then the whole pool.
  const del = await call(h.app, "DELETE", "/1.2/healing/node?name=MaxUnresponsiveTime&pool=default", {
    token: w.admin,
  });
  assert.equal(del.status, 200, del.body);
  assert.equal((await info()).default, undefined, "a pool with nothing of its own is not listed");
  await call(h.app, "DELETE", "/1.2/healing/node?pool=", { token: w.admin });
  assert.deepEqual((await info())[""], defaults);
  const bad = (f: Record<string, string>) =>
    call(h.app, "POST", "/1.2/healing/node", { token: w.admin, form: { pool: "", ...f } });
  sentence(await bad({ MaxUnresponsiveTime: "soon" }), 400, /whole number of seconds/);
  sentence(await bad({ MaxTimeSinceSuccess: "0" }), 400, /whole number of seconds/);
  sentence(await bad({ Enabled: "perhaps" }), 400, /./);
  sentence(await bad({}), 400, /Nothing to change/);
  sentence(await bad({ pool: "nope", Enabled: "true" }), 404, /Pool "nope" not found/);
  sentence(
    await call(h.app, "DELETE", "/1.2/healing/node?name=Speed&pool=", { token: w.admin }),
    400,
    /Unknown healing setting "Speed"/,
  );
  assert.equal((await call(h.app, "GET", "/1.2/healing/node", { token: w.alice })).status, 403);
});

test("healing-list shows the healer's events as tsuru's HealingEvent, filtered by node or container; a bad filter is a 400", async () => {
  // The events the healer itself writes (src/reconcile/app-queue.ts): a unit restarted, a node drained.
  await recordHealEvent(h.store, {
    app: "blue-app",
    instanceId: "test",
    data: { cause: "unit-down", unit: "u9", process: "web", node: "https://10.9.9.9:2376" },
    log: "unit u9 restarted",
  });
  await recordHealEvent(h.store, {
    app: "red-app",
    instanceId: "test",
    data: { cause: "node-drain", nodes: ["https://10.9.9.8:2376"] },
    log: "drained",
    error: "no node left",
  });
  type Healing = {
    ID: string;
    StartTime: string;
    EndTime: string;
    Action: string;
    Reason: string;
    FailingNode: { Address: string };
    FailingContainer: { ID: string; AppName: string; ProcessName: string; HostAddr: string };
    Successful: boolean;
    Error: string;
  };
  const list = async (filter: string) => {
    const r = await call(h.app, "GET", `/1.3/healing?filter=${filter}`, { token: w.admin });
    assert.equal(r.status, 200, "the client decodes only a 200");
    return r.json() as Healing[];
  };
  const all = await list("");
  assert.deepEqual(all.map((e) => e.Action).sort(), ["container-healing", "node-healing"]);
  for (const e of all) {
    assert.match(e.ID, HEX24);
    assert.match(e.StartTime, RFC3339);
    assert.match(e.EndTime, RFC3339);
  }
  const [unit] = await list("container");
  assert.deepEqual(
    { ...unit!.FailingContainer, Reason: unit!.Reason, Successful: unit!.Successful, Error: unit!.Error },
    {
      ID: "u9",
      AppName: "blue-app",
      ProcessName: "web",
      HostAddr: "https://10.9.9.9:2376",
      Reason: "unit-down",
      Successful: true,
      Error: "",
    },
  );
  const nodes = await list("node");
  assert.deepEqual(
    nodes.map((e) => [e.FailingNode.Address, e.Successful, e.Error]),
    [["https://10.9.9.8:2376", false, "no node left"]],
  );
  assert.equal((await call(h.app, "GET", "/1.3/healing?filter=", { token: w.alice })).status, 403);
  sentence(
    await call(h.app, "GET", "/1.3/healing?filter=cosmic", { token: w.admin }),
    400,
    /Invalid filter "cosmic"/,
  );
});

test("app-router-list/add/update/remove: the app's one router with its options and status", async () => {
  const routerForm = (name: string, opts: Record<string, string>) => ({
    Address: "",
    Name: name,
    ...(Object.keys(opts).length ? opts : { Opts: "" }),
    Status: "",
    StatusDetail: "",
    Type: "",
  });
  const list = await call(h.app, "GET", "/1.5/apps/blue-app/routers", { token: w.alice });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json(), [
    {
      name: "wharf",
      opts: {},
      address: "blue-app.wharf.localhost",
      type: "wharf",
      status: "ready",
      "status-detail": "",
    },
  ]);
  sentence(
    await call(h.app, "POST", "/1.5/apps/blue-app/routers", {
      token: w.alice,
      form: routerForm("wharf", {}),
    }),
    409,
    /router already linked/,
  );
  sentence(
    await call(h.app, "POST", "/1.5/apps/blue-app/routers", {
      token: w.alice,
      form: routerForm("hipache", {}),
    }),
    404,
    /router "hipache" not found/,
  );
  const upd = await call(h.app, "PUT", "/1.5/apps/blue-app/routers/wharf", {
    token: w.alice,
    form: routerForm("wharf", { "Opts.tier": "gold" }),
  });
  assert.equal(upd.status, 200, upd.body);
  assert.deepEqual(
    (
      (await call(h.app, "GET", "/1.5/apps/blue-app/routers", { token: w.alice })).json() as Array<{
        opts: unknown;
      }>
    )[0]!.opts,
    { tier: "gold" },
  );
  sentence(
    await call(h.app, "PUT", "/1.5/apps/blue-app/routers/wharf", {
      token: w.alice,
      form: routerForm("wharf", { "Opts.bad key": "x" }),
    }),
    400,
    /Invalid router option/,
  );
  sentence(
    await call(h.app, "PUT", "/1.5/apps/blue-app/routers/other", {
      token: w.alice,
      form: routerForm("other", {}),
    }),
    404,
    /not found in app "blue-app"/,
  );
  sentence(
    await call(h.app, "DELETE", "/1.5/apps/blue-app/routers/wharf", { token: w.alice }),
    400,
    /only router of app "blue-app"/,
  );
  assert.equal((await call(h.app, "GET", "/1.5/apps/blue-app/routers", { token: w.bob })).status, 403);
});

test("app-routes-rebuild answers a map of router to {Added, Removed}", async () => {
  const r = await call(h.app, "POST", "/1.0/apps/blue-app/routes", { token: w.alice });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(r.json(), { wharf: { Added: [], Removed: [] } });
  assert.equal((await call(h.app, "POST", "/1.0/apps/blue-app/routes", { token: w.bob })).status, 403);
  assert.equal((await call(h.app, "POST", "/1.0/apps/nope/routes", { token: w.alice })).status, 404);
});
