// tsuru's certificate routes (certificate-set/-unset/-list). Keys go in, never out.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import * as certs from "../../domain/services/certificates.js";
import { principal } from "../auth.js";
import { doc, input, json, param } from "./util.js";

const APP = { app: "app name" };

export function certificateRoutes(app: FastifyInstance, ctx: Ctx): void {
  app.put(
    "/apps/:app/certificate",
    {
      schema: doc("apps", "Set the TLS certificate of one of the app's cnames", {
        params: APP,
        body: { cname: "cname of the app", certificate: "PEM certificate chain", key: "PEM private key" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      await certs.setCertificate(ctx, principal(req), param(req, "app"), {
        cname: i.str("cname"),
        certificate: i.str("certificate"),
        key: i.str("key"),
      });
      return reply.code(200).send();
    },
  );
  app.delete(
    "/apps/:app/certificate",
    {
      schema: doc("apps", "Remove the TLS certificate of a cname", {
        params: APP,
        query: { cname: "cname" },
      }),
    },
    async (req, reply) => {
      await certs.unsetCertificate(ctx, principal(req), param(req, "app"), input(req).str("cname"));
      return reply.code(200).send();
    },
  );
  app.get(
    "/apps/:app/certificate",
    {
      schema: doc("apps", 'Certificates of the app\'s cnames: {router: {cname: PEM or ""}}', { params: APP }),
    },
    async (req, reply) => json(reply, await certs.listCertificates(ctx, principal(req), param(req, "app"))),
  );
}
