// Deployments: create-or-replace with optimistic concurrency (409 re-reads and
// retries), scale through the scale subresource, restart as `kubectl rollout restart`
// does, undo to an earlier revision as `kubectl rollout undo` does, delete with its
// ReplicaSets and pods, and wait for a rollout, failing with the reason (rollout.ts).
import type { CoreV1Event, V1Deployment, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { NotFoundError } from "../../domain/errors.js";
import { createOrReplace, retryOnConflict, strategicMergePatch, type KubeClient } from "./client.js";
import { KubeApiError } from "./errors.js";
import { currentReplicaSet, diagnose, podsOf, REVISION, rolloutState, type RolloutState } from "./rollout.js";
import { selectorString } from "./selectors.js";
import { combinedWatchState, ResumableWatch, type WatchState } from "./watch.js";

const RESOURCE = "deployments.apps";
/** Annotations the Deployment controller writes; a replace keeps them. */
const SERVER_ANNOTATIONS = /^deployment\.kubernetes\.io\//;

export interface RolloutOptions {
  /** Wharf's own limit; the Deployment's progressDeadlineSeconds also applies. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Restarts after which a crash loop fails the rollout (default 2). */
  crashRestarts?: number;
  onProgress?(message: string): void;
  /** The combined state of the rollout's watches (the worst of them), on every change. */
  onWatchState?(s: WatchState): void;
}

export type RolloutResult = Extract<RolloutState, { phase: "complete" | "failed" }>;

export interface Deployments {
  get(namespace: string, name: string): Promise<V1Deployment | undefined>;
  /** Creates the Deployment or replaces its spec, labels and annotations with `desired`. */
  apply(namespace: string, desired: V1Deployment): Promise<V1Deployment>;
  scale(namespace: string, name: string, replicas: number): Promise<void>;
  restart(namespace: string, name: string, at?: Date): Promise<void>;
  /** Rolls the pod template back to `toRevision` (default: the one before the current). */
  undo(namespace: string, name: string, toRevision?: number): Promise<number>;
  remove(namespace: string, name: string): Promise<void>;
  rollout(namespace: string, name: string, opts?: RolloutOptions): Promise<RolloutResult>;
}

export function deployments(k: KubeClient): Deployments {
  const op = (
    verb: "get" | "create" | "update" | "patch" | "delete" | "list",
    namespace: string,
    name?: string,
    resource = RESOURCE,
  ) => ({ verb, resource, namespace, ...(name ? { name } : {}) });
  const read = (namespace: string, name: string) =>
    k.call(op("get", namespace, name), () => k.apps.readNamespacedDeployment({ namespace, name }));
  const replicaSets = async (namespace: string, d: V1Deployment) =>
    (
      await k.call(op("list", namespace, undefined, "replicasets.apps"), () =>
        k.apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorString(d.spec?.selector) }),
      )
    ).items;

  return {
    get: (namespace, name) =>
      k.optional(op("get", namespace, name), () => k.apps.readNamespacedDeployment({ namespace, name })),

    async apply(namespace, desired) {
      const name = desired.metadata?.name;
      if (!name) throw new Error("a Deployment needs metadata.name");
      const body = {
        ...desired,
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { ...desired.metadata, namespace },
      };
      return createOrReplace(
        k,
        { resource: RESOURCE, namespace, name },
        {
          read: () => k.apps.readNamespacedDeployment({ namespace, name }),
          create: () => k.apps.createNamespacedDeployment({ namespace, body }),
          replace: (cur) => {
            const kept = Object.fromEntries(
              Object.entries(cur.metadata?.annotations ?? {}).filter(([key]) => SERVER_ANNOTATIONS.test(key)),
            );
            const next: V1Deployment = {
              ...body,
              metadata: {
                ...body.metadata,
                resourceVersion: cur.metadata?.resourceVersion,
                annotations: { ...kept, ...body.metadata?.annotations },
              },
            };
            return k.apps.replaceNamespacedDeployment({ namespace, name, body: next });
          },
        },
      );
    },

    async scale(namespace, name, replicas) {
      const sop = op("update", namespace, name, "deployments.apps/scale");
      await retryOnConflict(async () => {
        const s = await k.call({ ...sop, verb: "get" }, () =>
          k.apps.readNamespacedDeploymentScale({ namespace, name }),
        );
        if (s.spec?.replicas === replicas) return;
        await k.call(sop, () =>
          k.apps.replaceNamespacedDeploymentScale({ namespace, name, body: { ...s, spec: { replicas } } }),
        );
      });
    },

    async restart(namespace, name, at = new Date()) {
      const body = {
        spec: {
          template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": at.toISOString() } } },
        },
      };
      await k.call(op("patch", namespace, name), () =>
        k.apps.patchNamespacedDeployment({ namespace, name, body }, strategicMergePatch),
      );
    },

    async undo(namespace, name, toRevision) {
      return retryOnConflict(async () => {
        const d = await read(namespace, name);
        const current = Number(d.metadata?.annotations?.[REVISION] ?? 0);
        const owned = (await replicaSets(namespace, d)).filter((rs) =>
          (rs.metadata?.ownerReferences ?? []).some((o) => o.uid === d.metadata?.uid),
        );
        const rev = (rs: V1ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION] ?? 0);
        const target =
          toRevision !== undefined
            ? owned.find((rs) => rev(rs) === toRevision)
            : owned.filter((rs) => rev(rs) < current).sort((a, b) => rev(b) - rev(a))[0];
        if (!target?.spec?.template) {
          throw new NotFoundError(
            toRevision !== undefined
              ? `deployment ${name} in namespace ${namespace} has no revision ${toRevision}`
              : `deployment ${name} in namespace ${namespace} has no earlier revision to roll back to`,
          );
        }
        const template = structuredClone(target.spec.template);
        delete template.metadata?.labels?.["pod-template-hash"];
        d.spec = { ...d.spec!, template };
        await k.call(op("update", namespace, name), () =>
          k.apps.replaceNamespacedDeployment({ namespace, name, body: d }),
        );
        return rev(target);
      });
    },

    async remove(namespace, name) {
      await k.optional(op("delete", namespace, name), () =>
        k.apps.deleteNamespacedDeployment({ namespace, name, body: { propagationPolicy: "Background" } }),
      );
    },

    async rollout(namespace, name, opts = {}) {
      const d0 = await k.optional(op("get", namespace, name), () =>
        k.apps.readNamespacedDeployment({ namespace, name }),
      );
      if (!d0) throw new NotFoundError(`deployment ${name} not found in namespace ${namespace}`);
      const selector = selectorString(d0.spec?.selector);
      let dep: V1Deployment = d0;
      const sets = new Map<string, V1ReplicaSet>();
      const pods = new Map<string, V1Pod>();
      let events: CoreV1Event[] = [];
      return new Promise<RolloutResult>((resolve, reject) => {
        let settled = false;
        let last = "";
        const watches: ResumableWatch<{ metadata?: { name?: string } }>[] = [];
        const finish = (r: RolloutResult | Error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          for (const w of watches) w.stop();
          opts.signal?.removeEventListener("abort", onAbort);
          if (r instanceof Error) reject(r);
          else resolve(r);
        };
        let eventsLoaded = false;
        let loading = false;
        const evaluate = () => {
          const s = rolloutState(dep, [...sets.values()], [...pods.values()], events, opts.crashRestarts);
          if (s.phase === "failed" && !eventsLoaded) {
            // Before giving a failure, read the pods' events: they hold the probe's and the registry's words.
            if (!loading) {
              loading = true;
              void loadEvents().then(evaluate, () => finish(s));
            }
            return;
          }
          if (s.phase !== "progressing") return finish(s);
          if (s.message !== last) opts.onProgress?.((last = s.message));
        };
        const loadEvents = async () => {
          const list = await k.call({ verb: "list", resource: "events", namespace }, () =>
            k.core.listNamespacedEvent({ namespace, fieldSelector: "involvedObject.kind=Pod" }),
          );
          events = list.items;
          eventsLoaded = true;
        };
        const timer = opts.timeoutMs
          ? setTimeout(() => {
              void loadEvents()
                .catch(() => undefined)
                .then(() => {
                  const s = rolloutState(
                    dep,
                    [...sets.values()],
                    [...pods.values()],
                    events,
                    opts.crashRestarts,
                  );
                  if (s.phase !== "progressing") return finish(s);
                  const why = diagnose(
                    podsOf(currentReplicaSet(dep, [...sets.values()]), [...pods.values()]),
                    events,
                    opts.crashRestarts ?? 2,
                  );
                  finish({
                    phase: "failed",
                    reason: why?.reason ?? "deadline",
                    message: `deployment ${name} did not finish its rollout within ${Math.round(opts.timeoutMs! / 1000)}s (${s.message})${why ? `: ${why.message}` : ""}`,
                  });
                });
            }, opts.timeoutMs)
          : undefined;
        const onAbort = () => finish(new Error(`waiting for the rollout of ${name} was cancelled`));
        opts.signal?.addEventListener("abort", onAbort);
        // The rollout waits on three watches; it reports them as one state, and a lost
        // API server ends the wait with an error (not a failed rollout: nothing says the
        // version is bad) instead of leaving the operation stuck until its timeout.
        const states: WatchState[] = [0, 1, 2].map(() => ({ kind: "starting" }));
        let reported: WatchState["kind"] | undefined;
        const stateOf = (i: number) => (s: WatchState) => {
          states[i] = s;
          const all = combinedWatchState(states);
          if (all.kind !== reported) opts.onWatchState?.(all);
          reported = all.kind;
          if (all.kind === "lost")
            finish(
              new KubeApiError(
                503,
                `lost the Kubernetes API server while waiting for the rollout of deployment ${name} in namespace ${namespace}: ${all.error}; the rollout may go on in the cluster, so look at it again once the API server is back`,
                "unreachable",
              ),
            );
        };
        const track =
          <T extends { metadata?: { name?: string } }>(into: Map<string, T>) =>
          (e: { type: string; object: T }) => {
            if (e.type === "DELETED") into.delete(e.object.metadata?.name ?? "");
            else into.set(e.object.metadata?.name ?? "", e.object);
            evaluate();
          };
        const dWatch = new ResumableWatch<V1Deployment>({
          client: k,
          op: { verb: "watch", resource: RESOURCE, namespace },
          path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
          fieldSelector: `metadata.name=${name}`,
          list: async () => {
            const l = await k.call(op("list", namespace), () =>
              k.apps.listNamespacedDeployment({ namespace, fieldSelector: `metadata.name=${name}` }),
            );
            return { items: l.items, resourceVersion: l.metadata?.resourceVersion ?? "" };
          },
          onEvent: (e) => {
            if (e.type === "DELETED")
              return finish(
                new NotFoundError(
                  `deployment ${name} in namespace ${namespace} was deleted during its rollout`,
                ),
              );
            dep = e.object;
            evaluate();
          },
          onState: stateOf(0),
        });
        const rsWatch = new ResumableWatch<V1ReplicaSet>({
          client: k,
          op: { verb: "watch", resource: "replicasets.apps", namespace },
          path: `/apis/apps/v1/namespaces/${namespace}/replicasets`,
          labelSelector: selector,
          list: async () => {
            const l = await k.call(op("list", namespace, undefined, "replicasets.apps"), () =>
              k.apps.listNamespacedReplicaSet({ namespace, labelSelector: selector }),
            );
            return { items: l.items, resourceVersion: l.metadata?.resourceVersion ?? "" };
          },
          onEvent: track(sets),
          onState: stateOf(1),
        });
        const podWatch = new ResumableWatch<V1Pod>({
          client: k,
          op: { verb: "watch", resource: "pods", namespace },
          path: `/api/v1/namespaces/${namespace}/pods`,
          labelSelector: selector,
          list: async () => {
            const l = await k.call(op("list", namespace, undefined, "pods"), () =>
              k.core.listNamespacedPod({ namespace, labelSelector: selector }),
            );
            return { items: l.items, resourceVersion: l.metadata?.resourceVersion ?? "" };
          },
          onEvent: track(pods),
          onState: stateOf(2),
        });
        watches.push(rsWatch, podWatch, dWatch);
        Promise.all(watches.map((w) => w.start())).catch((e: Error) => finish(e));
      });
    },
  };
}
