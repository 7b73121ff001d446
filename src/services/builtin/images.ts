// The images of the built-in services (services/<name>/ in the repository): tagged with a
// hash of their folder, so a changed Dockerfile or entrypoint gives a new image; found on a
// node, else pulled from the cluster registry, else built on that node and pushed there, so
// every other node pulls it. Concurrent requests for one image share a single build.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine } from "../../cluster/docker/engine.js";
import type { ContextFile } from "../../build/context.js";
import { buildAndPushWharfImage } from "../../build/wharf-image.js";
import { BUILTIN_SERVICES, type BuiltinKind } from "./catalog.js";

/** The repository's services/ folder, found upwards from this file (src/ or dist/src/). */
export function serviceImagesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, "services", "postgresql", "Dockerfile"))) return join(dir, "services");
    dir = dirname(dir);
  }
  throw new Error("cannot find the services/ folder with the built-in service images");
}

export interface ImageSource {
  files: ContextFile[];
  /** First 12 hex digits of the SHA-256 over the folder's file names and contents. */
  tag: string;
}

export function imageSource(kind: BuiltinKind, root = serviceImagesDir()): ImageSource {
  const dir = join(root, BUILTIN_SERVICES[kind].imageDir);
  const names = readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isFile())
    .sort();
  const h = createHash("sha256");
  const files: ContextFile[] = names.map((name) => {
    const content = readFileSync(join(dir, name));
    h.update(`${name}\0${content.length}\0`).update(content);
    return { name, content, mode: name.endsWith(".sh") ? 0o755 : 0o644 };
  });
  return { files, tag: h.digest("hex").slice(0, 12) };
}

export function imageRef(registry: string, kind: BuiltinKind, tag: string): string {
  return `${registry}/wharf/service-${kind}:${tag}`;
}

export interface ImageSettings {
  registry: string;
  baseImage: string;
  caBundle?: Buffer;
  /** Memory limit of a build. */
  buildMemory?: number;
}

/** Builds the image on `engine` (FROM the base image as nodes pull it) and pushes it. */
export function buildServiceImage(
  engine: Engine,
  kind: BuiltinKind,
  s: ImageSettings,
  src: ImageSource,
  onLine?: (line: string) => void,
): Promise<string> {
  const dockerfile = src.files.find((f) => f.name === "Dockerfile");
  if (!dockerfile) throw new Error(`the ${kind} service image has no Dockerfile`);
  return buildAndPushWharfImage(engine, {
    ref: imageRef(s.registry, kind, src.tag),
    dockerfile: String(dockerfile.content),
    files: src.files.filter((f) => f !== dockerfile),
    baseImage: s.baseImage,
    ...(s.caBundle ? { caBundle: s.caBundle } : {}),
    labels: { "wharf.service-image": kind },
    ...(s.buildMemory !== undefined ? { limits: { memoryBytes: s.buildMemory } } : {}),
    ...(onLine ? { onLine } : {}),
  });
}

const inflight = new Map<string, Promise<string>>();

/** Makes the image present on the node: already there, pulled, or built there and pushed. */
export function ensureServiceImage(
  engine: Engine,
  node: string,
  kind: BuiltinKind,
  s: ImageSettings,
  log: (line: string) => void,
): Promise<string> {
  const src = imageSource(kind);
  const ref = imageRef(s.registry, kind, src.tag);
  const key = `${node}\0${ref}`;
  const running = inflight.get(key);
  if (running) return running;
  const p = (async () => {
    if (await engine.images.exists(ref)) return ref;
    try {
      await engine.images.pull(ref);
      log(`pulled ${ref}`);
      return ref;
    } catch {
      log(`building ${ref} (first use of this image)`);
      return buildServiceImage(engine, kind, s, src);
    }
  })().finally(() => inflight.delete(key));
  inflight.set(key, p);
  return p;
}
