// Every tsuru route Wharf answers, by resource.
import type { FastifyInstance } from "fastify";
import type { Ctx } from "../../domain/services/context.js";
import { userRoutes } from "./users.js";
import { teamRoutes } from "./teams.js";
import { roleRoutes } from "./roles.js";
import { poolRoutes } from "./pools.js";
import { catalogRoutes } from "./catalog.js";
import { appRoutes } from "./apps.js";
import { eventRoutes } from "./events.js";
import { nodeRoutes } from "./nodes.js";
import { certificateRoutes } from "./certificates.js";
import { serviceRoutes } from "./services.js";
import { autoscaleRoutes } from "./autoscale.js";
import type { NodeConnector } from "../../domain/services/node-port.js";

export interface RouteOptions {
  /** The cluster side of node management; the node routes are served only when given. */
  nodeConnector?: NodeConnector;
}

export function registerRoutes(app: FastifyInstance, ctx: Ctx, opts: RouteOptions = {}): void {
  userRoutes(app, ctx);
  teamRoutes(app, ctx);
  roleRoutes(app, ctx);
  poolRoutes(app, ctx);
  catalogRoutes(app, ctx);
  appRoutes(app, ctx);
  eventRoutes(app, ctx);
  certificateRoutes(app, ctx);
  serviceRoutes(app, ctx);
  autoscaleRoutes(app, ctx);
  if (opts.nodeConnector) nodeRoutes(app, ctx, opts.nodeConnector);
}
