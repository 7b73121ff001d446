// Assembles one server process's parts without listening: the domain context on the store,
// the deploy side (provisioners, builds) when a cluster is configured, the built-in services,
// the HTTP API (src/api) and the node agents' services with their routes.
import type { Logger } from "pino";
import type { Store } from "../store/types.js";
import type { WharfConfig } from "../config/config.js";
import { makeCtx, type Ctx } from "../domain/services/context.js";
import { setCertificateKeyFile } from "../domain/services/certificates.js";
import type { NodeConnector } from "../domain/services/node-port.js";
import type { DeployCtx, NodeEngines } from "../deploy/context.js";
import { runtimePort } from "../deploy/runtime.js";
import { secretKeyPath } from "../router/secret-box.js";
import { builtinServicesFor, type BuiltinServices } from "../services/builtin/index.js";
import { createApi, createLogger, type Api } from "../api/server.js";
import { dockerEndpointFor } from "../dockerapi/start.js";
import { createDeployCtx } from "./deploy-side.js";
import { createNodeAgentServices, type NodeAgentServices } from "./node-agents.js";

export interface ServerDeps {
  store: Store;
  config: WharfConfig;
  logger?: Logger;
  /** Serves tsuru's node routes when given (the cluster side: src/cluster/nodes). */
  nodeConnector?: NodeConnector;
  /** Node engines: with a registry configured, deploys, units and builds are served. */
  engines?: NodeEngines;
}

export type WharfServer = Api & {
  ctx: Ctx;
  deploy: DeployCtx | null;
  builtin: BuiltinServices | null;
  nodeAgents: NodeAgentServices;
  /** The Docker-API endpoint's CA and address (null when WHARF_DOCKER_API_PORT is unset). */
  dockerEndpoint: ReturnType<typeof dockerEndpointFor>;
};

export async function createServer(deps: ServerDeps): Promise<WharfServer> {
  const { store, config } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const ctx = makeCtx(store, config);
  // The API seals certificate keys with the same key file the routers open them with.
  setCertificateKeyFile(ctx, secretKeyPath(config.dataDir));
  let deploy: DeployCtx | null = null;
  let builtin: BuiltinServices | null = null;
  if (deps.engines && config.registry) {
    deploy = await createDeployCtx(ctx, deps.engines, config, logger);
    ctx.runtime = runtimePort(deploy);
    builtin = builtinServicesFor(deploy);
    ctx.builtin = builtin;
  }
  const nodeConnector = deps.nodeConnector ? { nodeConnector: deps.nodeConnector } : {};
  const dockerEndpoint = dockerEndpointFor(config);
  const app = await createApi({ ctx, config, logger, deploy, dockerEndpoint, ...nodeConnector });
  // App logs, unit metrics, node agents and node containers (their loops start once the API listens).
  const nodeAgents = createNodeAgentServices(app, ctx, config, logger, {
    ...nodeConnector,
    deploy,
    registry: app.metrics.registry,
  });
  await app.ready();
  return Object.assign(app, { ctx, deploy, builtin, nodeAgents, dockerEndpoint });
}
