// Which repositories and actions each kind of registry client gets. App images live at
// `<registry>/<app>`, Wharf's own images (base, platforms, services, agent) under `wharf/`.
import type { Access } from "./scope.js";

export const WHARF_NAMESPACE = "wharf/";

const repo = (name: string, actions: string[]): Access => ({ type: "repository", name, actions });

/** What a node engine needs to start a unit of `app`: pull of that app's repository only. */
export function unitPullAccess(app: string): Access[] {
  return [repo(app, ["pull"])];
}

/** A pull of one of Wharf's own images (platform, base, service, agent) onto a node. */
export function wharfImagePullAccess(repository: string): Access[] {
  if (!repository.startsWith(WHARF_NAMESPACE)) {
    throw new Error(`"${repository}" is not one of Wharf's own images (they live under ${WHARF_NAMESPACE})`);
  }
  return [repo(repository, ["pull"])];
}

/** An app build: push of the app's repository, pull of the images its Dockerfile starts from. */
export function appBuildAccess(app: string, baseRepositories: string[] = []): Access[] {
  return [repo(app, ["pull", "push"]), ...baseRepositories.map((r) => repo(r, ["pull"]))];
}

/** A platform (or other Wharf image) build: push of that repository under wharf/, pull of the bases. */
export function wharfImageBuildAccess(repository: string, baseRepositories: string[] = []): Access[] {
  return [...wharfImagePullAccess(repository).map((a) => ({ ...a, actions: ["pull", "push"] }))].concat(
    baseRepositories.map((r) => repo(r, ["pull"])),
  );
}

/** Wharf itself (garbage collection, listings): the catalog. Never handed to nodes or builds. */
export const CATALOG_ACCESS: Access[] = [{ type: "registry", name: "catalog", actions: ["*"] }];

/** The repository path of an image reference inside the cluster registry (`host:port/` removed). */
export function repositoryOf(ref: string, registry: string): string {
  const rest = ref.startsWith(`${registry}/`) ? ref.slice(registry.length + 1) : ref;
  return rest.replace(/@.*$/, "").replace(/:[^/]*$/, "");
}
