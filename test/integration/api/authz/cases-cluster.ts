// Matrix cases: nodes, deploys, versions, units and app lifecycle. The cluster's nodes and
// registry are down (nothing listens at their addresses), so an authorized call either
// stops at a domain check (the app was never deployed) or reaches a node's engine and
// fails there; a refused call never reaches an engine (checked for every case).
import { deadPort } from "../helpers.js";
import { ADMIN_ONLY, APP, S, TEAM, del, form, get, nodeRecord, type Case } from "./setup.js";

const nodePath = (address: string) => `/1.2/node/${encodeURIComponent(address)}`;

export const clusterCases: Case[] = [
  // nodes
  { routes: ["GET /node"], run: get("/1.2/node"), expect: { admin: 200, member: 204, outsider: 204 } },
  {
    routes: ["POST /node"],
    note: "an engine that does not answer",
    run: async (t) =>
      form("POST", "/1.2/node", {
        "Metadata.pool": "default",
        "Metadata.address": `http://127.0.0.1:${await deadPort()}`,
        Register: "true",
        Insecure: "true",
      })(t),
    expect: ADMIN_ONLY(400),
    engine: ["admin"],
  },
  {
    routes: ["PUT /node"],
    run: (t) => form("PUT", "/1.2/node", { Address: S.node, "Metadata.zone": "a" })(t),
    expect: ADMIN_ONLY(200),
  },
  { routes: ["GET /node/*"], run: (t) => get(nodePath(S.node))(t), expect: ADMIN_ONLY(200) },
  {
    routes: ["DELETE /node/*"],
    prepare: (n) => S.h.store.createNode(nodeRecord(`http://127.0.0.1:${40000 + Number(n)}`)),
    run: (t, _w, n) => del(`${nodePath(`http://127.0.0.1:${40000 + Number(n)}`)}?no-rebalance=true`)(t),
    expect: ADMIN_ONLY(200),
  },
  // deploys
  {
    routes: ["POST /apps/:app/deploy"],
    note: "nothing to deploy",
    run: form("POST", `/1.0/apps/${APP}/deploy`, { origin: "app-deploy" }),
    expect: TEAM(400),
  },
  {
    // The stream starts (event id, version) and ends with the node's failure.
    routes: ["POST /apps/:app/deploy"],
    note: "an image, on a node that is down",
    run: form("POST", `/1.0/apps/${APP}/deploy`, { image: "127.0.0.1:5000/never/pulled:v1" }),
    expect: TEAM(200),
    engine: ["admin", "member"],
  },
  {
    routes: ["GET /deploys"],
    run: get(`/1.0/deploys?app=${APP}`),
    expect: TEAM(200),
  },
  {
    routes: ["POST /apps/:app/deploy/rollback"],
    run: form("POST", `/1.0/apps/${APP}/deploy/rollback`, { image: "v1", origin: "rollback" }),
    expect: TEAM(400),
  },
  {
    routes: ["PUT /apps/:app/units"],
    run: form("PUT", `/1.0/apps/${APP}/units`, { units: "1", process: "" }),
    expect: TEAM(400),
  },
  {
    routes: ["DELETE /apps/:app/units"],
    run: del(`/1.0/apps/${APP}/units?units=1&process=`),
    expect: TEAM(400),
  },
  ...(["start", "stop", "restart"] as const).map((verb): Case => ({
    routes: [`POST /apps/:app/${verb}`],
    run: form("POST", `/1.0/apps/${APP}/${verb}`, { process: "" }),
    expect: TEAM(400),
  })),
  {
    routes: ["POST /apps/:app/run"],
    run: form("POST", `/1.0/apps/${APP}/run`, { command: "ls", once: "true", isolated: "false" }),
    expect: TEAM(400),
  },
];
