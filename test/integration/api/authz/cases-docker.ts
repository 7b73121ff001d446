// Matrix cases: the Docker-API endpoint's management routes (certificates, pool policies).
import { ADMIN_ONLY, ALL200, del, form, get, type Case } from "./setup.js";

export const dockerCases: Case[] = [
  {
    routes: ["POST /docker/certs"],
    note: "a CSR that is not PEM is refused for everyone",
    run: form("POST", "/1.0/docker/certs", { csr: "not a certificate request" }),
    expect: { admin: 400, member: 400, outsider: 400 },
  },
  { routes: ["GET /docker/certs"], run: get("/1.0/docker/certs"), expect: ALL200 },
  {
    routes: ["DELETE /docker/certs/:serial"],
    note: "an unknown serial is not found for anyone",
    run: del("/1.0/docker/certs/4abc"),
    expect: { admin: 404, member: 404, outsider: 404 },
  },
  {
    routes: ["GET /docker/policies/:pool"],
    run: get("/1.0/docker/policies/azure-pool"),
    expect: ADMIN_ONLY(200),
  },
  {
    routes: ["PUT /docker/policies/:pool"],
    run: form("PUT", "/1.0/docker/policies/azure-pool", { "containers-per-team": "50" }),
    expect: ADMIN_ONLY(200),
  },
];
