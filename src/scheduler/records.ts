// How the state stores containers, and the name/image normalisation Swarm applies.
import type { ContainerSpec, ImageSpec } from "./types.js";

/** A container as the state keeps it. */
export interface ContainerRec {
  readonly id: string;
  /** Name without the leading "/". */
  readonly name: string | undefined;
  readonly image: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly app: string | undefined;
  readonly process: string;
  readonly cpus: number;
  readonly memory: number;
  readonly portBindings: readonly { hostPort: string; hostIp: string }[];
  readonly hostNetwork: boolean;
  readonly exposedPorts: readonly string[];
  /** Node slot; changes when the unit moves. */
  node: number;
}

export const stripSlash = (n: string): string => (n.startsWith("/") ? n.slice(1) : n);

/** Swarm's image affinity candidates: id, each RepoTag, and each RepoTag's repository. */
export function imageNames(img: ImageSpec): string[] {
  const out = [img.id];
  for (const t of img.repoTags ?? []) {
    out.push(t);
    const colon = t.lastIndexOf(":");
    if (colon > t.lastIndexOf("/")) out.push(t.slice(0, colon));
  }
  return out;
}

export function toRecord(spec: ContainerSpec, node: number): ContainerRec {
  return {
    id: spec.id,
    name: spec.name === undefined ? undefined : stripSlash(spec.name),
    image: spec.image,
    labels: spec.labels ?? {},
    app: spec.app,
    process: spec.process ?? "",
    cpus: spec.cpus ?? 0,
    memory: spec.memory ?? 0,
    portBindings: (spec.portBindings ?? []).map((p) => ({ hostPort: p.hostPort, hostIp: p.hostIp ?? "" })),
    hostNetwork: spec.hostNetwork ?? false,
    exposedPorts: spec.exposedPorts ?? [],
    node,
  };
}
