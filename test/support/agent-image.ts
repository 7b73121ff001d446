// The wharf-agent image built on the host's engine (whose layer cache survives test
// clusters; its Node.js layer is the node platform's) and pushed to a test cluster's
// registry. A server then finds it there by its tag instead of building it on a node.
import type Docker from "dockerode";
import { buildAgentImage } from "../../src/build/agent-image.js";
import { buildCaBundlePath, loadCaBundle } from "../../src/build/ca-bundle.js";
import { engineOf } from "./engines.js";

export async function ensureHostAgentImage(host: Docker, registry: string): Promise<string> {
  return buildAgentImage(engineOf(host), {
    registry,
    baseImage: process.env.WHARF_BASE_IMAGE ?? "wharf/base:bookworm",
    caBundle: await loadCaBundle(buildCaBundlePath()),
  });
}
