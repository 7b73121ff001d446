// Matrix cases: services (tsuru service APIs), their instances and binds, OSB brokers.
import { call, deadPort } from "../helpers.js";
import {
  A,
  ADMIN_ONLY,
  APP,
  BROKER,
  C,
  INST,
  S,
  SVC,
  TEAM,
  admin,
  del,
  form,
  get,
  json,
  type Case,
} from "./setup.js";

const I = `/1.0/services/${SVC}/instances/${INST}`;
const manifest = (id: string) => ({
  id,
  username: id,
  password: "svc-pass-2",
  endpoint: S.api.url,
  team: A,
});
const AUTHORIZED = ["admin", "member"] as const;

export const serviceCases: Case[] = [
  {
    routes: ["GET /services/instances"],
    run: get("/1.0/services/instances"),
    // The built-in services (postgresql, redis) are offered to every team: an outsider
    // sees them, with none of team A's instances.
    expect: { admin: 200, member: 200, outsider: 200 },
  },
  {
    routes: ["GET /services/instances"],
    note: "of one app, bound to none",
    run: get(`/1.0/services/instances?app=${APP}`),
    expect: { admin: 204, member: 204, outsider: 204 },
  },
  {
    routes: ["POST /services"],
    echo: [A],
    run: (t, _w, n) => form("POST", "/1.0/services", manifest(`s${n}`))(t),
    expect: ADMIN_ONLY(201),
  },
  {
    routes: ["PUT /services/:service"],
    echo: [A],
    run: (t) => form("PUT", `/1.0/services/${SVC}`, manifest(SVC))(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /services/:service"],
    prepare: (n) => admin("POST", "/1.0/services", manifest(`ds${n}`)),
    run: (t, _w, n) => del(`/1.0/services/ds${n}`)(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["GET /services/:service"],
    echo: [SVC],
    run: get(`/1.0/services/${SVC}`),
    expect: TEAM(200, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["GET /services/:service/plans"],
    echo: [SVC],
    run: get(`/1.0/services/${SVC}/plans`),
    expect: TEAM(200, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["GET /services/:service/doc"],
    echo: [SVC],
    run: get(`/1.0/services/${SVC}/doc`),
    expect: TEAM(200, 404),
  },
  {
    routes: ["PUT /services/:service/doc"],
    run: form("PUT", `/1.0/services/${SVC}/doc`, { doc: "use it well" }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["PUT /services/:service/team/:team"],
    prepare: () => admin("DELETE", `/1.0/services/${SVC}/team/${C}`),
    run: (t) => call(S.h.app, "PUT", `/1.0/services/${SVC}/team/${C}`, t ? { token: t } : {}),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /services/:service/team/:team"],
    prepare: () => admin("PUT", `/1.0/services/${SVC}/team/${C}`),
    run: del(`/1.0/services/${SVC}/team/${C}`),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["POST /services/:service/instances"],
    echo: [A, SVC],
    run: (t, _w, n) =>
      form("POST", `/1.0/services/${SVC}/instances`, { name: `i${n}`, plan: "small", owner: A })(t),
    expect: TEAM(201, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["PUT /services/:service/instances/:instance"],
    run: form("PUT", I, { description: "changed" }),
    echo: [INST],
    expect: TEAM(200, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["DELETE /services/:service/instances/:instance"],
    prepare: (n) =>
      call(S.h.app, "POST", `/1.0/services/${SVC}/instances`, {
        token: S.w.alice,
        form: { name: `ri${n}`, plan: "small", owner: A },
      }),
    run: (t, _w, n) => del(`/1.0/services/${SVC}/instances/ri${n}?unbindall=true`)(t),
    echo: [],
    expect: TEAM(200, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["GET /services/:service/instances/:instance"],
    run: get(I),
    echo: [INST],
    expect: TEAM(200, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["GET /services/:service/instances/:instance/status"],
    run: get(`${I}/status`),
    echo: [INST],
    expect: TEAM(200, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["PUT /services/:service/instances/:instance/:app"],
    prepare: () => admin("DELETE", `${I}/${APP}?noRestart=true`),
    run: form("PUT", `${I}/${APP}`, { noRestart: "true" }),
    echo: [INST],
    expect: TEAM(200, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["DELETE /services/:service/instances/:instance/:app"],
    prepare: () => admin("PUT", `${I}/${APP}`, { noRestart: "true" }),
    run: del(`${I}/${APP}?noRestart=true`),
    echo: [INST],
    expect: TEAM(200, 404),
    broker: [...AUTHORIZED],
  },
  {
    routes: ["PUT /services/:service/instances/permission/:instance/:team"],
    prepare: () => admin("DELETE", `/1.0/services/${SVC}/instances/permission/${INST}/${C}`),
    run: (t) =>
      call(S.h.app, "PUT", `/1.0/services/${SVC}/instances/permission/${INST}/${C}`, t ? { token: t } : {}),
    echo: [INST],
    expect: TEAM(200, 404),
  },
  {
    routes: ["DELETE /services/:service/instances/permission/:instance/:team"],
    prepare: () =>
      call(S.h.app, "PUT", `/1.0/services/${SVC}/instances/permission/${INST}/${C}`, { token: S.w.admin }),
    run: del(`/1.0/services/${SVC}/instances/permission/${INST}/${C}`),
    echo: [INST],
    expect: TEAM(200, 404),
  },
  // OSB brokers
  { routes: ["GET /brokers"], run: get("/1.7/brokers"), expect: ADMIN_ONLY(200) },
  {
    routes: ["POST /brokers"],
    run: async (t, _w, n) =>
      json("POST", "/1.7/brokers", { Name: `b${n}`, URL: `http://127.0.0.1:${await deadPort()}` })(t),
    expect: ADMIN_ONLY(201),
  },
  {
    routes: ["PUT /brokers/:broker"],
    run: async (t) =>
      json("PUT", `/1.7/brokers/${BROKER}`, { URL: `http://127.0.0.1:${await deadPort()}` })(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /brokers/:broker"],
    prepare: async (n) =>
      call(S.h.app, "POST", "/1.7/brokers", {
        token: S.w.admin,
        json: { Name: `db${n}`, URL: `http://127.0.0.1:${await deadPort()}` },
      }),
    run: (t, _w, n) => del(`/1.7/brokers/db${n}`)(t),
    expect: ADMIN_ONLY(200),
  },
];
