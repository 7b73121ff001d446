// The Docker-API endpoint's management routes on the tsuru API: client certificates
// (`wharf docker certs|env`) and per-pool policies (`wharf docker policy`).
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as docker from "../../dockerapi/service.js";
import { principal } from "../auth.js";
import { doc, input, json, param } from "./util.js";

const POLICY_FIELDS: Record<string, keyof docker.PolicyPatch> = {
  "allow-privileged": "allowPrivileged",
  "allow-host-binds": "allowHostBinds",
  "allow-host-namespaces": "allowHostNamespaces",
  "allow-devices": "allowDevices",
  "allow-cap-add": "allowCapAdd",
};

/** Registered only when the server runs the endpoint (WHARF_DOCKER_API_PORT). */
export function dockerRoutes(app: FastifyInstance, ctx: Ctx, endpoint: docker.EndpointInfo): void {
  const ep = (): docker.EndpointInfo => endpoint;
  app.post(
    "/docker/certs",
    {
      schema: doc("docker", "Sign a client certificate for the Docker endpoint (CSR with CN=<your email>)", {
        body: { csr: "PEM" },
      }),
    },
    async (req, reply) =>
      json(reply, await docker.issueCert(ctx.store, ep(), principal(req), input(req).str("csr")), 201),
  );
  app.get(
    "/docker/certs",
    {
      schema: doc("docker", "Your Docker endpoint certificates (admins: ?user=EMAIL, or empty for all)", {
        query: { user: "email" },
      }),
    },
    async (req, reply) => {
      const q = req.query as Record<string, string | undefined>;
      return json(reply, await docker.listCerts(ctx.store, principal(req), q.user));
    },
  );
  app.delete(
    "/docker/certs/:serial",
    {
      schema: doc("docker", "Revoke a Docker endpoint certificate (yours; admins: anyone's)", {
        params: { serial: "hex" },
      }),
    },
    async (req, reply) => {
      await docker.revokeCert(ctx.store, principal(req), param(req, "serial"));
      return reply.code(200).send();
    },
  );
  app.get(
    "/docker/policies/:pool",
    { schema: doc("docker", "The Docker endpoint's policy on a pool", { params: { pool: "pool" } }) },
    async (req, reply) => json(reply, await docker.getPolicy(ctx.store, principal(req), param(req, "pool"))),
  );
  app.put(
    "/docker/policies/:pool",
    {
      schema: doc("docker", "Relax or tighten the Docker endpoint's policy on a pool", {
        params: { pool: "pool" },
        body: {
          ...Object.fromEntries(Object.keys(POLICY_FIELDS).map((k) => [k, "bool"])),
          "containers-per-team": "number (-1: no limit)",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const patch: docker.PolicyPatch = {};
      for (const [field, key] of Object.entries(POLICY_FIELDS)) {
        const v = i.boolOrNull(field);
        if (v !== null) (patch as Record<string, unknown>)[key] = v;
      }
      if (i.str("containers-per-team") !== "") patch.containersPerTeam = i.int("containers-per-team", 0);
      return json(reply, await docker.setPolicy(ctx.store, principal(req), param(req, "pool"), patch));
    },
  );
}
