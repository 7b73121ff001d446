// A repo platform (platforms/<name>/Dockerfile) built on the host's engine, whose layer
// cache survives test clusters, and pushed to a test cluster's registry: e2e tests then
// add it with `platform add NAME -i IMAGE` instead of rebuilding it from scratch every run.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type Docker from "dockerode";
import { buildPlatformImage } from "../../src/build/platform-image.js";
import { buildCaBundlePath, loadCaBundle } from "../../src/build/ca-bundle.js";
import { engineOf } from "./engines.js";

const ROOT = resolve(import.meta.dirname, "..", "..");

export async function ensureHostPlatformImage(host: Docker, name: string, registry: string): Promise<string> {
  const dockerfile = readFileSync(join(ROOT, "platforms", name, "Dockerfile"), "utf8");
  return buildPlatformImage(engineOf(host), {
    name: `${name}-host`,
    dockerfile,
    registry,
    baseImage: process.env.WHARF_BASE_IMAGE ?? "wharf/base:bookworm",
    caBundle: await loadCaBundle(buildCaBundlePath()),
    version: 1,
  });
}
