// How `wharf server` brings the endpoint up from its configuration (WHARF_DOCKER_API_*):
// the CA is known from the start (the API signs certificates with it), the address once
// the endpoint listens.
import { join } from "node:path";
import type { Logger } from "pino";
import type { WharfConfig } from "../config/config.js";
import { loadDockerCertDir } from "../cluster/tls/pki.js";
import type { Store } from "../store/types.js";
import { DockerCa } from "./certs.js";
import type { EngineClients } from "./engines.js";
import type { EndpointInfo } from "./service.js";
import { startDockerApi, type DockerApi } from "./server.js";

export function dockerEndpointFor(config: WharfConfig): EndpointInfo | null {
  if (config.dockerApiPort === null) return null;
  return {
    ca: new DockerCa(config.dockerCaDir || join(config.dataDir, "docker-ca")),
    url: config.dockerApiUrl,
  };
}

export async function startDockerEndpoint(
  info: EndpointInfo | null,
  config: WharfConfig,
  store: Store,
  clients: unknown,
  log: Logger,
): Promise<DockerApi | null> {
  if (!info || config.dockerApiPort === null) return null;
  if (!clients || typeof (clients as EngineClients).engineFor !== "function")
    throw new Error(
      "WHARF_DOCKER_API_PORT is set but this server reaches no node engines: configure the cluster (WHARF_NODE_TLS_DIR)",
    );
  const api = await startDockerApi({
    store,
    log,
    clients: clients as EngineClients,
    nodeTls: config.nodeTlsDir ? await loadDockerCertDir(config.nodeTlsDir) : null,
    host: config.dockerApiHost || config.host,
    port: config.dockerApiPort,
    caDir: info.ca.dir,
    sans: config.dockerApiSans,
    url: config.dockerApiUrl,
    registry: config.registry,
  });
  info.url = api.url;
  return api;
}
