// Matrix cases: SSH keys, event blocks and webhooks, per-pool log and healer settings, the
// healer's history, app routers, GET /services and git's smart HTTP routes (Basic auth).
import { call } from "../helpers.js";
import { ed25519Key } from "../../../support/ssh-key.js";
import {
  A,
  ADMIN_ONLY,
  ALL200,
  APP,
  S,
  TEAM,
  admin,
  del,
  form,
  get,
  json,
  type Case,
  type Who,
} from "./setup.js";

const sshKey = () => ed25519Key().line;

const hook = (name: string) => ({
  name,
  url: "http://127.0.0.1:9/never",
  team_owner: A,
  // A kind no event has: these hooks never fire.
  event_filter: { kind_names: ["zz.never"] },
});
const makeHook = (n: string) =>
  call(S.h.app, "POST", "/1.6/events/webhooks", { token: S.w.alice, json: hook(`wh${n}`) });
const blocks = new Map<string, string>();
const basic = (t: string | undefined) =>
  t ? { headers: { authorization: `Basic ${Buffer.from(`wharf:${t}`).toString("base64")}` } } : {};
const tokenOf = (who: Who) => S.tokens[who];

export const surfaceCases: Case[] = [
  // keys: each user's own
  { routes: ["GET /users/keys"], run: get("/1.0/users/keys"), expect: ALL200 },
  {
    routes: ["POST /users/keys"],
    run: (t, _w, n) => form("POST", "/1.0/users/keys", { force: "false", key: sshKey(), name: `k${n}` })(t),
    expect: ALL200,
  },
  {
    routes: ["DELETE /users/keys/:key"],
    prepare: (n, who) =>
      call(S.h.app, "POST", "/1.0/users/keys", {
        ...(tokenOf(who) ? { token: tokenOf(who)! } : {}),
        form: { force: "false", key: sshKey(), name: `d${n}` },
      }),
    run: (t, _w, n) => del(`/1.0/users/keys/d${n}`)(t),
    expect: ALL200,
  },
  // event blocks: admins only
  { routes: ["GET /events/blocks"], run: get("/1.3/events/blocks"), expect: ADMIN_ONLY(200) },
  {
    routes: ["POST /events/blocks"],
    run: (t, _w, n) =>
      form("POST", "/1.3/events/blocks", {
        Active: "",
        EndTime: "",
        ID: "",
        KindName: `zz.kind${n}`,
        OwnerName: "",
        Reason: "matrix",
        StartTime: "",
        "Target.Type": "",
        "Target.Value": "",
      })(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /events/blocks/:uuid"],
    prepare: async (n) => {
      const r = await admin("POST", "/1.3/events/blocks", { KindName: `zz.del${n}`, Reason: "matrix" });
      blocks.set(n, (r.json() as { ID: string }).ID);
    },
    run: (t, _w, n) => del(`/1.3/events/blocks/${blocks.get(n)}`)(t),
    expect: ADMIN_ONLY(200),
  },
  // webhooks: the owning team's
  {
    routes: ["GET /events/webhooks"],
    prepare: makeHook,
    run: get("/1.6/events/webhooks"),
    expect: TEAM(200, 204),
  },
  {
    routes: ["POST /events/webhooks"],
    run: (t, _w, n) => json("POST", "/1.6/events/webhooks", hook(`wc${n}`))(t),
    expect: TEAM(201),
    echo: [A],
  },
  {
    routes: ["GET /events/webhooks/:name"],
    prepare: makeHook,
    run: (t, _w, n) => get(`/1.6/events/webhooks/wh${n}`)(t),
    expect: TEAM(200, 404),
  },
  {
    routes: ["PUT /events/webhooks/:name"],
    prepare: makeHook,
    run: (t, _w, n) => json("PUT", `/1.6/events/webhooks/wh${n}`, { ...hook(`wh${n}`), description: "d" })(t),
    expect: TEAM(200, 404),
  },
  {
    routes: ["DELETE /events/webhooks/:name"],
    prepare: makeHook,
    run: (t, _w, n) => del(`/1.6/events/webhooks/wh${n}`)(t),
    expect: TEAM(200, 404),
  },
  {
    routes: ["POST /events/webhooks/:name/secret"],
    prepare: makeHook,
    run: (t, _w, n) => call(S.h.app, "POST", `/1.6/events/webhooks/wh${n}/secret`, t ? { token: t } : {}),
    expect: TEAM(200, 404),
  },
  // per-pool settings: admins only
  { routes: ["GET /docker/logs"], run: get("/1.0/docker/logs"), expect: ADMIN_ONLY(200) },
  {
    routes: ["POST /docker/logs"],
    run: form("POST", "/1.0/docker/logs", {
      Driver: "json-file",
      "LogOpts.max-size": "5m",
      pool: "",
      restart: "false",
    }),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /healing/node"], run: get("/1.2/healing/node"), expect: ADMIN_ONLY(200) },
  {
    routes: ["POST /healing/node"],
    run: form("POST", "/1.2/healing/node", { MaxUnresponsiveTime: "30", pool: "" }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /healing/node"],
    run: del("/1.2/healing/node?name=MaxUnresponsiveTime&pool="),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /healing"], run: get("/1.3/healing?filter="), expect: ADMIN_ONLY(200) },
  // app routers
  { routes: ["GET /apps/:app/routers"], run: get(`/1.5/apps/${APP}/routers`), expect: TEAM(200) },
  {
    routes: ["POST /apps/:app/routers"],
    note: "the app has it already",
    run: form("POST", `/1.5/apps/${APP}/routers`, {
      Address: "",
      Name: "wharf",
      Opts: "",
      Status: "",
      StatusDetail: "",
      Type: "",
    }),
    expect: TEAM(409),
  },
  {
    routes: ["PUT /apps/:app/routers/:router"],
    run: form("PUT", `/1.5/apps/${APP}/routers/wharf`, {
      Address: "",
      Name: "wharf",
      "Opts.tier": "a",
      Status: "",
      StatusDetail: "",
      Type: "",
    }),
    expect: TEAM(200),
  },
  {
    routes: ["DELETE /apps/:app/routers/:router"],
    note: "the app's only router",
    run: del(`/1.5/apps/${APP}/routers/wharf`),
    expect: TEAM(400),
  },
  {
    routes: ["POST /apps/:app/routes"],
    run: (t) => call(S.h.app, "POST", `/1.0/apps/${APP}/routes`, t ? { token: t } : {}),
    expect: TEAM(200),
  },
  // services one administers (tag-list)
  { routes: ["GET /services"], run: get("/1.0/services"), expect: ALL200 },
  // git: the token as the Basic password; pushing needs app.deploy, fetching app.read
  {
    routes: ["GET /apps/:app/info/refs"],
    note: "push (receive-pack): makes the repository",
    run: (t) => call(S.h.app, "GET", `/apps/${APP}.git/info/refs?service=git-receive-pack`, basic(t)),
    expect: TEAM(200),
  },
  {
    routes: ["GET /apps/:app/info/refs"],
    note: "fetch (upload-pack)",
    run: (t) => call(S.h.app, "GET", `/apps/${APP}.git/info/refs?service=git-upload-pack`, basic(t)),
    expect: TEAM(200),
  },
  {
    routes: ["POST /apps/:app/git-upload-pack"],
    note: "an empty request",
    run: (t) =>
      call(S.h.app, "POST", `/apps/${APP}.git/git-upload-pack`, {
        ...basic(t),
        headers: { ...basic(t).headers, "content-type": "application/x-git-upload-pack-request" },
        payload: "0000",
      }),
    expect: TEAM(200),
  },
  {
    routes: ["POST /apps/:app/git-receive-pack"],
    note: "no ref updates",
    run: (t) =>
      call(S.h.app, "POST", `/apps/${APP}.git/git-receive-pack`, {
        headers: { ...basic(t).headers, "content-type": "application/x-git-receive-pack-request" },
        payload: "0000",
      }),
    expect: TEAM(200),
  },
];
