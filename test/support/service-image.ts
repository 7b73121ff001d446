// The built-in services' images (services/<name>/) built on the host's engine, whose layer
// cache survives test clusters, and pushed to a test cluster's registry under the very
// reference a server computes: its nodes then pull them instead of building them on first use.
import type Docker from "dockerode";
import { buildCaBundlePath, loadCaBundle } from "../../src/build/ca-bundle.js";
import { buildServiceImage, imageRef, imageSource } from "../../src/services/builtin/images.js";
import type { BuiltinKind } from "../../src/services/builtin/catalog.js";
import { engineOf } from "./engines.js";

export async function ensureHostServiceImage(
  host: Docker,
  kind: BuiltinKind,
  registry: string,
): Promise<string> {
  const src = imageSource(kind);
  await buildServiceImage(
    engineOf(host),
    kind,
    {
      registry,
      baseImage: process.env.WHARF_BASE_IMAGE ?? "wharf/base:bookworm",
      caBundle: await loadCaBundle(buildCaBundlePath()),
    },
    src,
  );
  return imageRef(registry, kind, src.tag);
}
