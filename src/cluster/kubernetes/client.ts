// The one place Wharf holds a connection to a Kubernetes API server: typed clients of
// @kubernetes/client-node for the groups Wharf uses (core/v1, apps/v1,
// discovery.k8s.io/v1, version), and `call`, which runs one API call and turns any
// failure into a Wharf error naming the operation. The concern modules beside this file
// (namespaces, deployments, ...) each take a KubeClient.
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  VersionApi,
  setHeaderOptions,
  PatchStrategy,
} from "@kubernetes/client-node";
import { kubeConfigFor, type KubeClusterRecord } from "./connect.js";
import { isKind, KubeApiError, kubeError, type KubeOperation } from "./errors.js";

export class KubeClient {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly version: VersionApi;
  /** The API server's address, for messages. */
  readonly server: string;

  constructor(readonly config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
    this.apps = config.makeApiClient(AppsV1Api);
    this.discovery = config.makeApiClient(DiscoveryV1Api);
    this.version = config.makeApiClient(VersionApi);
    this.server = config.getCurrentCluster()?.server ?? "(no server)";
  }

  static connect(record: KubeClusterRecord): KubeClient {
    return new KubeClient(kubeConfigFor(record));
  }

  /** Runs one API call; failures become Wharf errors about `op`. */
  async call<T>(op: KubeOperation, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw kubeError(this.server, op, e);
    }
  }

  /** Like `call`, but a 404 is undefined (reads that may find nothing, idempotent deletes). */
  async optional<T>(op: KubeOperation, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(op, fn);
    } catch (e) {
      if (isKind(e, "not-found")) return undefined;
      throw e;
    }
  }
}

/** Read-modify-write with optimistic concurrency: a 409 Conflict re-reads and retries. */
export async function retryOnConflict<T>(attempt: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      if (!isKind(e, "conflict") || i >= attempts) throw e;
    }
  }
}

/** The calls of one object's create-or-replace; `replace` gets the object as read. */
export interface CreateOrReplaceCalls<T> {
  read(): Promise<T>;
  create(): Promise<T>;
  replace(current: T): Promise<T>;
}

/**
 * Create-or-replace with optimistic concurrency: read; create when absent; otherwise
 * replace (the caller's body carries the read resourceVersion, so a write in between
 * is a 409). A 409, or someone else creating it between our read and our create,
 * reads again and retries.
 */
export function createOrReplace<T>(
  k: KubeClient,
  op: Omit<KubeOperation, "verb">,
  calls: CreateOrReplaceCalls<T>,
): Promise<T> {
  return retryOnConflict(async () => {
    const cur = await k.optional({ ...op, verb: "get" }, calls.read);
    if (cur === undefined) {
      try {
        return await k.call({ ...op, verb: "create" }, calls.create);
      } catch (e) {
        if (isKind(e, "already-exists"))
          throw new KubeApiError(
            409,
            `${op.resource} "${op.name}" in namespace "${op.namespace}" was created by someone else while Wharf created it; try again`,
            "conflict",
          );
        throw e;
      }
    }
    return k.call({ ...op, verb: "update" }, () => calls.replace(cur));
  });
}

/** Options that send a PATCH body as a JSON merge patch (RFC 7386). */
export const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
/** Options that send a PATCH body as a strategic-merge patch. */
export const strategicMergePatch = setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch);
