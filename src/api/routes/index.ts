// Every tsuru route Wharf answers, by resource, and what those routes need besides the store:
// the mail server (password resets), the webhook dispatcher (started and stopped with the API),
// the nodes' own TLS material and the streams' keep-alive interval.
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Ctx } from "../../domain/services/context.js";
import type { WharfConfig } from "../../config/config.js";
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
import { eventBlockRoutes } from "./event-blocks.js";
import { webhookRoutes } from "./webhooks.js";
import { keyRoutes } from "./keys.js";
import { poolSettingsRoutes } from "./pool-settings.js";
import { appRouterRoutes } from "./app-routers.js";
import { autoscaleRoutes } from "./autoscale.js";
import type { NodeConnector } from "../../domain/services/node-port.js";
import { loadNodeTls } from "../../domain/services/nodes.js";
import { smtpMailer } from "../../mail/smtp.js";
import { WebhookDispatcher } from "../../webhooks/dispatcher.js";
import { healerSettingsFromEnv } from "../../config/healer.js";
import { KEEPALIVE_MS } from "../stream.js";

export interface RouteOptions {
  /** The cluster side of node management; the node routes are served only when given. */
  nodeConnector?: NodeConnector;
  config?: WharfConfig;
  log?: Logger;
}

export function registerRoutes(app: FastifyInstance, ctx: Ctx, opts: RouteOptions = {}): void {
  const config = opts.config;
  app.decorate("streamKeepAliveMs", config?.streamKeepAliveMs ?? KEEPALIVE_MS);
  if (config && !ctx.mailer) ctx.mailer = smtpMailer({ url: config.smtpUrl, from: config.smtpFrom });
  userRoutes(app, ctx);
  keyRoutes(app, ctx);
  teamRoutes(app, ctx);
  roleRoutes(app, ctx);
  poolRoutes(app, ctx);
  catalogRoutes(app, ctx);
  appRoutes(app, ctx);
  appRouterRoutes(app, ctx);
  eventRoutes(app, ctx);
  eventBlockRoutes(app, ctx);
  webhookRoutes(app, ctx);
  certificateRoutes(app, ctx);
  serviceRoutes(app, ctx);
  // The node healer's defaults as node-healing-info shows them for pool "".
  const unresponsive = Math.ceil(
    ((config?.nodeFailureThreshold ?? 3) * (config?.nodeMonitorIntervalMs ?? 1000)) / 1000,
  );
  poolSettingsRoutes(app, ctx, {
    enabled: healerSettingsFromEnv().enabled,
    maxUnresponsiveSeconds: unresponsive,
    maxSinceSuccessSeconds: unresponsive,
  });
  autoscaleRoutes(app, ctx);
  const connector = opts.nodeConnector;
  if (connector) {
    nodeRoutes(app, ctx, connector);
    app.addHook("onReady", () => loadNodeTls(ctx, connector));
  }
  if (opts.log) {
    const hooks = new WebhookDispatcher(ctx, opts.log.child({ component: "webhooks" }), {
      ...(config
        ? {
            timeoutMs: config.webhookTimeoutMs,
            attempts: config.webhookAttempts,
            baseDelayMs: config.webhookRetryMs,
          }
        : {}),
    });
    app.decorate("webhooks", hooks);
    app.addHook("onReady", async () => hooks.start());
    app.addHook("onClose", () => hooks.stop());
  }
}

declare module "fastify" {
  interface FastifyInstance {
    /** Delivers event webhooks (tests wait for it with idle()). */
    webhooks?: WebhookDispatcher;
  }
}
