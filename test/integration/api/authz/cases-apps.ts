// Matrix cases: apps, their env, cnames, certificates, teams, quota, constraints and lock.
import { call } from "../helpers.js";
import { A, ALL200, APP, C, CNAME, S, TEAM, admin, del, form, get, type Case } from "./setup.js";

export const appCases: Case[] = [
  {
    routes: ["POST /apps"],
    echo: [A],
    run: (t, _w, n) =>
      form("POST", "/1.0/apps", {
        name: `app${n}`,
        platform: "python",
        teamOwner: A,
        plan: "",
        pool: "",
        description: "",
        router: "",
        routeropts: "",
      })(t),
    expect: TEAM(201),
  },
  { routes: ["GET /apps"], run: get("/1.0/apps?"), expect: ALL200 },
  { routes: ["GET /apps/:app"], run: get(`/1.0/apps/${APP}`), expect: TEAM(200) },
  {
    routes: ["PUT /apps/:app"],
    run: form("PUT", `/1.0/apps/${APP}`, {
      description: "changed",
      imageReset: "false",
      plan: "",
      pool: "",
      platform: "",
      teamOwner: "",
    }),
    expect: TEAM(200),
  },
  {
    routes: ["DELETE /apps/:app"],
    prepare: (n) =>
      call(S.h.app, "POST", "/1.0/apps", {
        token: S.w.alice,
        form: { name: `rm${n}`, platform: "python", teamOwner: A },
      }),
    run: (t, who, n) => del(`/1.0/apps/${who === "outsider" ? APP : `rm${n}`}`)(t),
    expect: TEAM(200),
  },
  { routes: ["GET /apps/:app/quota"], run: get(`/1.0/apps/${APP}/quota`), expect: TEAM(200) },
  {
    routes: ["PUT /apps/:app/quota"],
    run: form("PUT", `/1.0/apps/${APP}/quota`, { limit: "10" }),
    expect: TEAM(200),
  },
  {
    routes: ["PUT /apps/:app/teams/:team"],
    prepare: () => admin("DELETE", `/1.0/apps/${APP}/teams/${C}`),
    run: (t) => call(S.h.app, "PUT", `/1.0/apps/${APP}/teams/${C}`, t ? { token: t } : {}),
    expect: TEAM(200),
  },
  {
    routes: ["DELETE /apps/:app/teams/:team"],
    prepare: () => admin("PUT", `/1.0/apps/${APP}/teams/${C}`),
    run: del(`/1.0/apps/${APP}/teams/${C}`),
    expect: TEAM(200),
  },
  { routes: ["GET /apps/:app/env"], run: get(`/1.0/apps/${APP}/env?`), expect: TEAM(200) },
  {
    routes: ["POST /apps/:app/env"],
    run: form("POST", `/1.0/apps/${APP}/env`, {
      "Envs.0.Name": "K",
      "Envs.0.Value": "v",
      NoRestart: "",
      Private: "",
    }),
    expect: TEAM(200),
  },
  {
    routes: ["DELETE /apps/:app/env"],
    run: del(`/1.0/apps/${APP}/env?env=K&noRestart=false`),
    expect: TEAM(200),
  },
  {
    routes: ["POST /apps/:app/cname"],
    run: (t, _w, n) => form("POST", `/1.0/apps/${APP}/cname`, { cname: `c${n}.example.com` })(t),
    expect: TEAM(200),
  },
  {
    routes: ["DELETE /apps/:app/cname"],
    prepare: (n) => admin("POST", `/1.0/apps/${APP}/cname`, { cname: `d${n}.example.com` }),
    run: (t, _w, n) => del(`/1.0/apps/${APP}/cname?cname=d${n}.example.com`)(t),
    expect: TEAM(200),
  },
  {
    routes: ["PUT /apps/:app/certificate"],
    run: (t) =>
      form("PUT", `/1.2/apps/${APP}/certificate`, {
        cname: CNAME,
        certificate: S.cert.cert,
        key: S.cert.key,
      })(t),
    expect: TEAM(200),
  },
  { routes: ["GET /apps/:app/certificate"], run: get(`/1.2/apps/${APP}/certificate`), expect: TEAM(200) },
  {
    routes: ["DELETE /apps/:app/certificate"],
    prepare: () =>
      admin("PUT", `/1.2/apps/${APP}/certificate`, {
        cname: CNAME,
        certificate: S.cert.cert,
        key: S.cert.key,
      }),
    run: del(`/1.2/apps/${APP}/certificate?cname=${CNAME}`),
    expect: TEAM(200),
  },
  { routes: ["GET /apps/:app/constraints"], run: get(`/1.0/apps/${APP}/constraints`), expect: TEAM(200) },
  {
    routes: ["PUT /apps/:app/constraints"],
    run: form("PUT", `/1.0/apps/${APP}/constraints`, { constraint: "zone==a" }),
    expect: TEAM(200),
  },
  {
    routes: ["DELETE /apps/:app/lock"],
    run: del(`/1.0/apps/${APP}/lock`),
    expect: TEAM(410),
  },
];
