// Matrix cases: system routes, pools and constraints, plans, platforms, routers, volumes,
// events.
import { A, ADMIN_ONLY, ALL200, S, TEAM, admin, del, form, get, type Case } from "./setup.js";

export const platformCases: Case[] = [
  { routes: ["GET /healthcheck"], run: get("/healthcheck"), expect: ALL200, anon: 200 },
  { routes: ["GET /metrics"], run: get("/metrics"), expect: ALL200, anon: 200 },
  { routes: ["GET /openapi.json"], run: get("/openapi.json"), expect: ALL200, anon: 200 },
  // pools
  { routes: ["GET /pools"], run: get("/1.0/pools"), expect: ALL200 },
  {
    routes: ["POST /pools"],
    run: (t, _w, n) =>
      form("POST", "/1.0/pools", { name: `p${n}`, default: "false", public: "false", force: "false" })(t),
    expect: ADMIN_ONLY(201),
  },
  {
    routes: ["PUT /pools/:pool"],
    run: form("PUT", "/1.0/pools/azure-pool", { default: "", public: "", force: "false" }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /pools/:pool"],
    prepare: (n) => admin("POST", "/1.0/pools", { name: `del${n}` }),
    run: (t, _w, n) => del(`/1.0/pools/del${n}`)(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["POST /pools/:pool/team"],
    prepare: () => admin("DELETE", `/1.0/pools/azure-pool/team?team=${A}`),
    run: form("POST", "/1.0/pools/azure-pool/team", { team: A }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /pools/:pool/team"],
    prepare: () => admin("POST", "/1.0/pools/azure-pool/team", { team: A }),
    run: del(`/1.0/pools/azure-pool/team?team=${A}`),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /constraints"], run: get("/1.3/constraints"), expect: ADMIN_ONLY(200) },
  {
    routes: ["PUT /constraints"],
    run: form("PUT", "/1.3/constraints", {
      PoolExpr: "azure-pool",
      Field: "router",
      "Values.0": "wharf",
      Blacklist: "",
      append: "false",
    }),
    expect: ADMIN_ONLY(200),
  },
  // catalog
  { routes: ["GET /plans"], run: get("/1.0/plans"), expect: ALL200 },
  {
    routes: ["POST /plans"],
    run: (t, _w, n) =>
      form("POST", "/1.0/plans", {
        name: `plan${n}`,
        memory: "64M",
        swap: "0",
        cpushare: "10",
        default: "false",
      })(t),
    expect: ADMIN_ONLY(201),
  },
  {
    routes: ["DELETE /plans/:name"],
    prepare: (n) => admin("POST", "/1.0/plans", { name: `dp${n}`, memory: "64M", cpushare: "1" }),
    run: (t, _w, n) => del(`/1.0/plans/dp${n}`)(t),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /platforms"], run: get("/1.0/platforms"), expect: ALL200 },
  { routes: ["GET /platforms/:name"], run: get("/1.6/platforms/python"), expect: ALL200 },
  {
    routes: ["POST /platforms"],
    note: "no Dockerfile",
    run: (t, _w, n) => form("POST", "/1.0/platforms", { name: `plat${n}` })(t),
    expect: ADMIN_ONLY(400),
  },
  {
    // With a cluster, adding a platform builds its image on a node: the admin's call goes
    // to the (down) node, which is no client mistake: 503 with a sentence.
    routes: ["POST /platforms"],
    note: "built on a node that is down",
    run: (t, _w, n) =>
      form("POST", "/1.0/platforms", { name: `plat${n}`, dockerfile_content: "FROM scratch\n" })(t),
    expect: ADMIN_ONLY(503),
    engine: ["admin"],
  },
  {
    routes: ["PUT /platforms/:name"],
    run: form("PUT", "/1.0/platforms/python", { disabled: "false" }),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /platforms/:name"],
    prepare: (n) => S.h.store.createPlatform({ name: `dplat${n}`, disabled: false }),
    run: (t, _w, n) => del(`/1.0/platforms/dplat${n}`)(t),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /routers"], run: get("/1.3/routers"), expect: ALL200 },
  { routes: ["GET /volumes"], run: get("/1.4/volumes"), expect: { admin: 204, member: 204, outsider: 204 } },
  // events
  { routes: ["GET /events"], run: get("/1.1/events?kindname=&limit="), expect: ALL200 },
  { routes: ["GET /events/:uuid"], run: (t) => get(`/1.1/events/${S.appEvent}`)(t), expect: TEAM(200, 404) },
  {
    routes: ["POST /events/:uuid/cancel"],
    run: (t) => form("POST", `/1.1/events/${S.runningEvent}/cancel`, { reason: "matrix" })(t),
    expect: TEAM(204, 404),
  },
  {
    routes: ["POST /events/:uuid/cancel"],
    note: "an event that cannot be canceled",
    run: (t) => form("POST", `/1.1/events/${S.appEvent}/cancel`, { reason: "matrix" })(t),
    expect: TEAM(400, 404),
  },
];
