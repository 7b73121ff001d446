// Pods: list by label (and field) selector, a unit-like summary of each (node, IP,
// phase, readiness, restarts), delete, and container logs with follow. Logs go over
// the same TLS and credentials as client-node's calls, but through node's https so
// that the API server's 400 (a container still waiting to start) reaches the caller
// with its message.
import { request, type RequestOptions } from "node:https";
import type { IncomingMessage } from "node:http";
import type { V1Pod } from "@kubernetes/client-node";
import type { KubeClient } from "./client.js";
import { fromStatus, kubeError, parseStatus } from "./errors.js";

export interface PodSummary {
  name: string;
  node?: string;
  ip?: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Why it is not running, when a container waits or terminated. */
  reason?: string;
  labels: Record<string, string>;
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  previous?: boolean;
  signal?: AbortSignal;
}

export interface Pods {
  list(namespace: string, labelSelector?: string, fieldSelector?: string): Promise<V1Pod[]>;
  summaries(namespace: string, labelSelector?: string): Promise<PodSummary[]>;
  remove(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void>;
  /** The log as a byte stream; with follow it stays open until the container stops or `signal` aborts. */
  logs(namespace: string, pod: string, opts?: LogOptions): Promise<IncomingMessage>;
}

export function summarize(p: V1Pod): PodSummary {
  const statuses = p.status?.containerStatuses ?? [];
  const waiting = statuses.map((s) => s.state?.waiting?.reason ?? s.state?.terminated?.reason).find(Boolean);
  return {
    name: p.metadata?.name ?? "",
    ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
    ...(p.status?.podIP ? { ip: p.status.podIP } : {}),
    phase: p.metadata?.deletionTimestamp ? "Terminating" : (p.status?.phase ?? "Pending"),
    ready: (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    ...(waiting ? { reason: waiting } : {}),
    labels: p.metadata?.labels ?? {},
  };
}

export function pods(k: KubeClient): Pods {
  const list = async (namespace: string, labelSelector?: string, fieldSelector?: string) =>
    (
      await k.call({ verb: "list", resource: "pods", namespace }, () =>
        k.core.listNamespacedPod({
          namespace,
          ...(labelSelector ? { labelSelector } : {}),
          ...(fieldSelector ? { fieldSelector } : {}),
        }),
      )
    ).items;
  return {
    list,
    summaries: async (namespace, labelSelector) =>
      (await list(namespace, labelSelector))
        .filter((p) => p.status?.phase !== "Succeeded" || p.metadata?.deletionTimestamp === undefined)
        .map(summarize),
    async remove(namespace, name, gracePeriodSeconds) {
      await k.optional({ verb: "delete", resource: "pods", namespace, name }, () =>
        k.core.deleteNamespacedPod({
          namespace,
          name,
          ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
        }),
      );
    },
    async logs(namespace, pod, opts = {}) {
      const op = { verb: "get", resource: "pods/log", namespace, name: pod } as const;
      const url = new URL(
        `${k.server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
      );
      if (opts.container) url.searchParams.set("container", opts.container);
      if (opts.follow) url.searchParams.set("follow", "true");
      if (opts.tailLines !== undefined) url.searchParams.set("tailLines", String(opts.tailLines));
      if (opts.sinceSeconds !== undefined) url.searchParams.set("sinceSeconds", String(opts.sinceSeconds));
      if (opts.timestamps) url.searchParams.set("timestamps", "true");
      if (opts.previous) url.searchParams.set("previous", "true");
      const ro: RequestOptions = { method: "GET", headers: { Accept: "*/*" } };
      await k.config.applyToHTTPSOptions(ro);
      return new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(url, { ...ro, ...(opts.signal ? { signal: opts.signal } : {}) }, (res) => {
          if (res.statusCode === 200) return resolve(res);
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            reject(
              fromStatus(k.server, op, res.statusCode ?? 500, parseStatus(Buffer.concat(chunks).toString())),
            ),
          );
          res.on("error", (e) => reject(kubeError(k.server, op, e)));
        });
        req.on("error", (e) => reject(kubeError(k.server, op, e)));
        req.end();
      });
    },
  };
}
