// Which images a deploy may name. An image in the cluster registry is either an app's
// (`<registry>/<app>`: only apps the caller may deploy) or one of Wharf's platform images
// (`<registry>/wharf/platform-*`, `wharf/base`); anything else there is another tenant's or
// Wharf's internals, refused with a 403 naming the repository. Images from other registries
// are allowed, unless the pool has an allow-list and none of its patterns matches.
import { BadRequestError, ForbiddenError } from "./errors.js";

export interface ImageReference {
  /** Registry host[:port], lowercased; "docker.io" for Docker Hub names. */
  domain: string;
  /** Path inside the registry ("library/node" for "node"). */
  repository: string;
  tag?: string;
  digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}...` : s);

/** Docker's reference grammar and normalization (distribution/reference: ParseNormalizedNamed). */
export function parseImageReference(ref: string): ImageReference {
  const bad = (why: string) =>
    new BadRequestError(
      `Image "${clip(ref)}" is not a valid image reference (${why}): write it as [registry/]name[:tag][@digest].`,
    );
  if (!ref || ref.length > 512 || /\s/.test(ref)) throw bad("empty, too long or with spaces");
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad("bad digest");
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad("bad tag");
  }
  const parts = rest.split("/");
  let domain = "docker.io";
  const first = parts[0]!;
  if (
    parts.length > 1 &&
    (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase())
  ) {
    if (!DOMAIN.test(first)) throw bad("bad registry host");
    domain = first.toLowerCase();
    parts.shift();
  }
  if (parts.length === 0 || parts.some((p) => !COMPONENT.test(p))) throw bad("bad repository name");
  if (domain === "docker.io" && parts.length === 1) parts.unshift("library");
  return { domain, repository: parts.join("/"), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export interface ImagePolicy {
  /** Every host[:port] the cluster registry answers as (address, DNS names, localhost forms). */
  clusterRegistries: string[];
  /** Whether the caller may deploy app `name`. */
  mayDeploy: (app: string) => boolean;
  /**
   * The pool's allow-list of external images (`quay.io/org/*`, `docker.io/library/node`), or
   * undefined/empty for "any". A trailing `*` matches any rest of the name.
   */
  externalAllowList?: string[];
}

const PLATFORM = /^wharf\/(platform-[a-z0-9][a-z0-9._-]*|base)$/;

/** Throws ForbiddenError naming the first image the policy refuses; what the image is. */
export function authorizeImage(ref: string, p: ImagePolicy): "app" | "platform" | "external" {
  const r = parseImageReference(ref);
  const cluster = new Set(p.clusterRegistries.map((d) => d.toLowerCase()));
  if (cluster.has(r.domain)) {
    if (PLATFORM.test(r.repository)) return "platform";
    if (!r.repository.includes("/") && p.mayDeploy(r.repository)) return "app";
    throw new ForbiddenError(
      `Image "${clip(ref)}" names repository "${r.repository}" of the cluster registry, which you may not deploy from: use an image of an app you can deploy, or a platform image.`,
    );
  }
  const allow = p.externalAllowList ?? [];
  const name = `${r.domain}/${r.repository}`;
  if (allow.length && !allow.some((pat) => matches(pat, name))) {
    throw new ForbiddenError(
      `Image "${clip(ref)}" (repository "${name}") is not in this pool's list of allowed external images: ask an operator, or use one of: ${allow.join(", ")}.`,
    );
  }
  return "external";
}

function matches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  return p.endsWith("*") ? name.startsWith(p.slice(0, -1)) : name === p;
}

/** Validates an operator's allow-list entry: a registry host, a path, an optional trailing `*`. */
export function validateAllowPattern(pattern: string): string {
  const m = /^([^/\s]+)\/([a-z0-9._/-]*)(\*?)$/.exec(pattern);
  const host = m?.[1] ?? "";
  if (!m || !DOMAIN.test(host) || (!m[3] && !m[2]) || m[2]!.includes("//") || m[2]!.startsWith("/")) {
    throw new BadRequestError(
      `"${clip(pattern)}" is not an image pattern: write registry/path or registry/prefix* (e.g. docker.io/library/node, quay.io/myorg/*).`,
    );
  }
  return pattern.toLowerCase();
}
