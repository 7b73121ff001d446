// The resource types the stand-in API server serves: group, version, kind, scope,
// subresources and the field selectors each accepts, as Kubernetes 1.24 declares them.
// Discovery, routing and RBAC all read this one table. Part of the stand-in (see server.ts).

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served (status, scale, log, exec, attach). */
  subresources: string[];
  /** Field labels accepted by fieldSelector, beyond metadata.name and metadata.namespace. */
  fields?: string[];
  /** Whether a DELETE returns the object (graceful deletion) rather than a Status. */
  returnsObjectOnDelete?: boolean;
}

const core = (r: Omit<ResourceType, "group" | "version">): ResourceType => ({
  group: "",
  version: "v1",
  ...r,
});
const apps = (r: Omit<ResourceType, "group" | "version">): ResourceType => ({
  group: "apps",
  version: "v1",
  ...r,
});

export const RESOURCES: ResourceType[] = [
  core({
    plural: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    shortNames: ["ns"],
    subresources: ["status", "finalize"],
    fields: ["status.phase"],
    returnsObjectOnDelete: true,
  }),
  core({
    plural: "nodes",
    singular: "node",
    kind: "Node",
    namespaced: false,
    shortNames: ["no"],
    subresources: ["status"],
    fields: ["spec.unschedulable"],
  }),
  core({
    plural: "pods",
    singular: "pod",
    kind: "Pod",
    namespaced: true,
    shortNames: ["po"],
    subresources: ["status", "log", "exec", "attach"],
    fields: [
      "spec.nodeName",
      "spec.restartPolicy",
      "spec.schedulerName",
      "spec.serviceAccountName",
      "status.phase",
      "status.podIP",
      "status.nominatedNodeName",
    ],
    returnsObjectOnDelete: true,
  }),
  core({
    plural: "services",
    singular: "service",
    kind: "Service",
    namespaced: true,
    shortNames: ["svc"],
    subresources: ["status"],
  }),
  core({
    plural: "secrets",
    singular: "secret",
    kind: "Secret",
    namespaced: true,
    subresources: [],
    fields: ["type"],
  }),
  core({
    plural: "serviceaccounts",
    singular: "serviceaccount",
    kind: "ServiceAccount",
    namespaced: true,
    shortNames: ["sa"],
    subresources: [],
  }),
  core({
    plural: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    shortNames: ["ev"],
    subresources: [],
    fields: [
      "involvedObject.kind",
      "involvedObject.namespace",
      "involvedObject.name",
      "involvedObject.uid",
      "involvedObject.apiVersion",
      "involvedObject.resourceVersion",
      "involvedObject.fieldPath",
      "reason",
      "source",
      "type",
    ],
  }),
  apps({
    plural: "deployments",
    singular: "deployment",
    kind: "Deployment",
    namespaced: true,
    shortNames: ["deploy"],
    subresources: ["status", "scale"],
  }),
  apps({
    plural: "replicasets",
    singular: "replicaset",
    kind: "ReplicaSet",
    namespaced: true,
    shortNames: ["rs"],
    subresources: ["status", "scale"],
  }),
  apps({
    plural: "daemonsets",
    singular: "daemonset",
    kind: "DaemonSet",
    namespaced: true,
    shortNames: ["ds"],
    subresources: ["status"],
  }),
  {
    group: "discovery.k8s.io",
    version: "v1",
    plural: "endpointslices",
    singular: "endpointslice",
    kind: "EndpointSlice",
    namespaced: true,
    subresources: [],
  },
  {
    group: "policy",
    version: "v1",
    plural: "poddisruptionbudgets",
    singular: "poddisruptionbudget",
    kind: "PodDisruptionBudget",
    namespaced: true,
    shortNames: ["pdb"],
    subresources: ["status"],
  },
  {
    group: "autoscaling",
    version: "v2",
    plural: "horizontalpodautoscalers",
    singular: "horizontalpodautoscaler",
    kind: "HorizontalPodAutoscaler",
    namespaced: true,
    shortNames: ["hpa"],
    subresources: ["status"],
  },
];

export function apiVersionOf(r: ResourceType): string {
  return r.group === "" ? r.version : `${r.group}/${r.version}`;
}

/** "deployments.apps" / "pods": how Kubernetes names a resource in error messages. */
export function qualifiedName(r: ResourceType): string {
  return r.group === "" ? r.plural : `${r.plural}.${r.group}`;
}

export function findResource(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function resourceOfKind(kind: string): ResourceType {
  const r = RESOURCES.find((x) => x.kind === kind);
  if (!r) throw new Error(`the stand-in serves no kind ${kind}`);
  return r;
}

export function fieldLabels(r: ResourceType): string[] {
  return ["metadata.name", ...(r.namespaced ? ["metadata.namespace"] : []), ...(r.fields ?? [])];
}
