// Matrix cases: an app's metrics and unit autoscale settings (authorized like app info and
// unit changes), and the dashboard's static pages (no token: the page logs in through the API).
import { existsSync } from "node:fs";
import { APP, TEAM, del, form, get, type Case } from "./setup.js";

const everyone = (status: number) => ({
  admin: status,
  member: status,
  outsider: status,
  none: status,
  garbage: status,
  removed: status,
});
// The pages are the same for every caller, token or not; a tree without `npm run build` has no
// bundle, and then every caller gets the same 503 sentence.
const built = existsSync(new URL("../../../../dist/dashboard/index.html", import.meta.url));
const PUBLIC = everyone(built ? 200 : 503);

export const metricsCases: Case[] = [
  { routes: ["GET /apps/:app/metrics"], run: get(`/1.0/apps/${APP}/metrics`), expect: TEAM(200) },
  {
    routes: ["GET /apps/:app/units/autoscale"],
    run: get(`/1.9/apps/${APP}/units/autoscale`),
    expect: TEAM(200),
  },
  {
    routes: ["POST /apps/:app/units/autoscale"],
    run: form("POST", `/1.9/apps/${APP}/units/autoscale`, {
      process: "web",
      minUnits: "1",
      maxUnits: "2",
      averageCPU: "60%",
    }),
    // The matrix's app was never deployed: past the permission check, the process is unknown.
    expect: TEAM(400),
  },
  {
    routes: ["DELETE /apps/:app/units/autoscale"],
    run: del(`/1.9/apps/${APP}/units/autoscale?process=web`),
    // Past the permission check: the app has no setting to remove.
    expect: TEAM(404),
  },
  { routes: ["GET /dashboard/*"], run: get("/dashboard/apps"), expect: PUBLIC },
  { routes: ["GET /dashboard"], run: get("/dashboard/"), expect: PUBLIC },
  // Not a browser (no Accept: text/html): the API's 404 sentence, whoever asks.
  {
    routes: ["GET /"],
    run: get("/"),
    expect: everyone(404),
  },
];
