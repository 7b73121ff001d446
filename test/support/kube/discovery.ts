// Discovery documents (/version, /api, /apis, /api/v1, /apis/GROUP[/VERSION]) as a
// Kubernetes 1.24 API server returns them, built from the resource table, so kubectl
// and @kubernetes/client-node find what the stand-in serves. Part of the stand-in.
import { RESOURCES, apiVersionOf, type ResourceType } from "./resources.js";

export const VERSION = {
  major: "1",
  minor: "24",
  gitVersion: "v1.24.17",
  gitCommit: "22a9682c8fe855c321be75c5faacde343f909b04",
  gitTreeState: "clean",
  buildDate: "2023-08-23T23:37:25Z",
  goVersion: "go1.20.7",
  compiler: "gc",
  platform: "linux/amd64",
};

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function groups(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const r of RESOURCES) {
    if (r.group === "") continue;
    const vs = m.get(r.group) ?? [];
    if (!vs.includes(r.version)) vs.push(r.version);
    m.set(r.group, vs);
  }
  return m;
}

const groupDoc = (name: string, versions: string[]) => ({
  name,
  versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
  preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
});

function subresourceDoc(r: ResourceType, sub: string) {
  const base = { name: `${r.plural}/${sub}`, singularName: "", namespaced: r.namespaced };
  switch (sub) {
    case "status":
      return { ...base, kind: r.kind, verbs: ["get", "patch", "update"] };
    case "scale":
      return {
        ...base,
        group: "autoscaling",
        version: "v1",
        kind: "Scale",
        verbs: ["get", "patch", "update"],
      };
    case "log":
      return { ...base, kind: "Pod", verbs: ["get"] };
    case "exec":
    case "attach":
      return {
        ...base,
        kind: sub === "exec" ? "PodExecOptions" : "PodAttachOptions",
        verbs: ["create", "get"],
      };
    default:
      return { ...base, kind: r.kind, verbs: ["update"] };
  }
}

/** The document for a discovery path, or undefined when the path is not one. */
export function discovery(path: string, serverAddress: string): unknown {
  if (path === "/version") return VERSION;
  if (path === "/api")
    return {
      kind: "APIVersions",
      versions: ["v1"],
      serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
    };
  if (path === "/apis")
    return {
      kind: "APIGroupList",
      apiVersion: "v1",
      groups: [...groups()].map(([n, vs]) => groupDoc(n, vs)),
    };
  const g = /^\/apis\/([^/]+)$/.exec(path);
  if (g) {
    const vs = groups().get(g[1]!);
    return vs ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(g[1]!, vs) } : undefined;
  }
  const gv = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!gv) return undefined;
  const group = gv[1] ? "" : gv[2]!;
  const version = gv[1] ?? gv[3]!;
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf(rs[0]!),
    resources: rs.flatMap((r) => [
      {
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: VERBS,
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      },
      ...r.subresources.map((s) => subresourceDoc(r, s)),
    ]),
  };
}
