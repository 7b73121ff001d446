// Matrix cases: app logs, node agents' report routes and node containers. The agent routes
// take only node-agent tokens (minted by the node container reconciler), so every user
// token, the admin's included, is refused there; the agent's own token is exercised by the
// logs-agent e2e test.
import { APP, ADMIN_ONLY, ALL200, TEAM, del, form, get, json, admin, type Case } from "./setup.js";

const NC = "/1.2/docker/nodecontainers";
const ncForm = (name: string) => ({ name, pool: "", "config.image": "busybox:latest" });

export const logCases: Case[] = [
  {
    routes: ["GET /apps/:app/log"],
    run: get(`/1.0/apps/${APP}/log?lines=10`),
    expect: TEAM(200),
  },
  {
    routes: ["POST /apps/:app/log"],
    run: form("POST", `/1.0/apps/${APP}/log`, { message: ["a line"], source: "matrix" }),
    expect: TEAM(200),
  },
  ...(
    [
      ["POST /node/status", () => json("POST", "/1.2/node/status", { units: [], checks: [] })],
      ["GET /node/logmarks", () => get("/1.2/node/logmarks")],
      ["POST /node/logs", () => json("POST", "/1.2/node/logs", { lines: [] })],
    ] as const
  ).map(([route, run]): Case => ({
    routes: [route],
    note: "user tokens are not node agents",
    run: run(),
    expect: ADMIN_ONLY(403, 403, 403),
  })),
  {
    // A list filtered to the pools the caller may administer: nothing, for team members.
    routes: ["GET /docker/nodecontainers"],
    run: get(NC),
    expect: ALL200,
  },
  {
    routes: ["POST /docker/nodecontainers"],
    run: (t, _w, n) => form("POST", NC, ncForm(`nc${n}`))(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["GET /docker/nodecontainers/:name"],
    prepare: (n) => admin("POST", NC, ncForm(`gc${n}`)),
    run: (t, _w, n) => get(`${NC}/gc${n}`)(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["POST /docker/nodecontainers/:name"],
    prepare: (n) => admin("POST", NC, ncForm(`uc${n}`)),
    run: (t, _w, n) => form("POST", `${NC}/uc${n}`, { pool: "", "config.image": "busybox:1" })(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["DELETE /docker/nodecontainers/:name"],
    prepare: (n) => admin("POST", NC, ncForm(`dc${n}`)),
    run: (t, _w, n) => del(`${NC}/dc${n}`)(t),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["POST /docker/nodecontainers/:name/upgrade"],
    prepare: (n) => admin("POST", NC, ncForm(`pc${n}`)),
    run: (t, _w, n) => form("POST", `${NC}/pc${n}/upgrade`, { pool: "" })(t),
    expect: ADMIN_ONLY(200),
  },
];
