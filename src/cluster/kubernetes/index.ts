// The Kubernetes adapter: the one place Wharf imports @kubernetes/client-node. A
// KubernetesCluster is one connection with a small interface per concern; the
// provisioner (issue 17) builds on these and never on client-node itself.
import { KubeClient } from "./client.js";
import type { KubeClusterRecord } from "./connect.js";
import { daemonSets, type DaemonSets } from "./daemonsets.js";
import { deployments, type Deployments } from "./deployments.js";
import { endpointSlices, type EndpointSlices } from "./endpointslices.js";
import { KubeApiError } from "./errors.js";
import { execs, type Execs } from "./exec.js";
import { namespaces, type Namespaces } from "./namespaces.js";
import { nodes, type Nodes } from "./nodes.js";
import { pods, type Pods } from "./pods.js";
import { secrets, type Secrets } from "./secrets.js";
import { services, type Services } from "./services.js";

export interface ServerVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

export class KubernetesCluster {
  readonly namespaces: Namespaces;
  readonly deployments: Deployments;
  readonly services: Services;
  readonly secrets: Secrets;
  readonly pods: Pods;
  readonly execs: Execs;
  readonly nodes: Nodes;
  readonly daemonSets: DaemonSets;
  readonly endpointSlices: EndpointSlices;

  constructor(readonly client: KubeClient) {
    this.namespaces = namespaces(client);
    this.deployments = deployments(client);
    this.services = services(client);
    this.secrets = secrets(client);
    this.pods = pods(client);
    this.execs = execs(client);
    this.nodes = nodes(client);
    this.daemonSets = daemonSets(client);
    this.endpointSlices = endpointSlices(client);
  }

  /** Validates the record (400 with what to fix) and connects; no request is made yet. */
  static connect(record: KubeClusterRecord): KubernetesCluster {
    return new KubernetesCluster(KubeClient.connect(record));
  }

  get server(): string {
    return this.client.server;
  }

  /**
   * Checks that the API server answers, trusts our CA and accepts our credentials, and
   * that it is Kubernetes 1.24 or later: the check `cluster add` makes. Connection,
   * TLS and credential failures are 400s here, since the record is what is wrong.
   */
  async verify(): Promise<ServerVersion> {
    const v = await this.client
      .call({ verb: "get", resource: "version" }, () => this.client.version.getCode())
      .catch((e: unknown) => {
        if (e instanceof KubeApiError && (e.kind === "unreachable" || e.kind === "tls"))
          throw new KubeApiError(400, e.message, e.kind);
        throw e;
      });
    const minor = Number(String(v.minor).replace(/\D.*$/, ""));
    if (v.major !== "1" || !(minor >= 24))
      throw new KubeApiError(
        400,
        `the cluster at ${this.server} runs Kubernetes ${v.gitVersion}; Wharf needs 1.24 or later`,
        "invalid",
      );
    // /version needs no credentials: list namespaces to prove they work.
    await this.client
      .call({ verb: "list", resource: "namespaces" }, () => this.client.core.listNamespace({ limit: 1 }))
      .catch((e: unknown) => {
        if (e instanceof KubeApiError && e.kind === "unauthorized")
          throw new KubeApiError(400, e.message, e.kind);
        throw e;
      });
    return { major: v.major, minor: v.minor, gitVersion: v.gitVersion };
  }
}

export { KubeClient, retryOnConflict } from "./client.js";
export type { KubeClusterRecord } from "./connect.js";
export { KubeApiError, isKind, type KubeErrorKind } from "./errors.js";
export { ResumableWatch, type WatchState } from "./watch.js";
export { readyBackends, type Backend } from "./endpointslices.js";
export { rolloutState, type RolloutState, type RolloutFailure } from "./rollout.js";
export { summarize as summarizePod, type PodSummary } from "./pods.js";
export { summarizeNode, type NodeSummary } from "./nodes.js";
export { dockerConfigJson, type RegistryCredentials } from "./secrets.js";
