// The image of Wharf's node agent: Debian's Node.js on the base image, with the agent's
// compiled modules (dist/src/agent/main.js and every file it imports) copied in. The tag is
// a hash of those files, so an unchanged agent is never rebuilt under a new name.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine } from "../cluster/docker/engine.js";
import type { ContextFile } from "./context.js";
import { buildAndPushWharfImage, pulledFromRegistry } from "./wharf-image.js";

// The first RUN is the node platform's (platforms/node/Dockerfile) byte for byte, so a node
// that built that platform reuses the layer instead of installing Node.js again.
export const AGENT_DOCKERFILE = `ARG BASE_IMAGE=wharf/base:bookworm
FROM \${BASE_IMAGE}
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
COPY agent/ /opt/wharf-agent/
ENTRYPOINT ["node", "/opt/wharf-agent/src/agent/main.js"]
`;

/** dist/ of this installation (the compiled tree the agent's files are copied from). */
export function distRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const marker = `${sep}dist${sep}src${sep}build`;
  return here.endsWith(marker) ? resolve(here, "..", "..") : resolve(here, "..", "..", "dist");
}

const IMPORTS =
  /\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\bimport\s+["']([^"']+)["']/g;

/**
 * The agent's module graph from `main`: relative imports are followed, node: built-ins are
 * fine, anything else (a package) is refused, since the image has no node_modules.
 */
export function agentModules(
  root: string,
  main = resolve(root, "src", "agent", "main.js"),
): Map<string, Buffer> {
  if (!existsSync(main))
    throw new Error(`the agent's compiled code is missing (${main}): build Wharf first (npm run build)`);
  const out = new Map<string, Buffer>();
  const todo = [main];
  while (todo.length) {
    const file = todo.pop()!;
    const rel = relative(root, file);
    if (out.has(rel)) continue;
    if (rel.startsWith("..")) throw new Error(`the agent imports ${file}, outside ${root}`);
    const code = readFileSync(file);
    out.set(rel, code);
    for (const m of code.toString("utf8").matchAll(IMPORTS)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith("node:")) continue;
      if (!spec.startsWith("."))
        throw new Error(
          `the agent's ${rel} imports "${spec}": the agent may import only node: modules and its own files`,
        );
      todo.push(resolve(dirname(file), spec));
    }
  }
  return out;
}

export function agentContext(root = distRoot()): { files: ContextFile[]; tag: string } {
  const modules = agentModules(root);
  const files: ContextFile[] = [{ name: "agent/package.json", content: '{"type":"module"}\n' }];
  for (const [rel, content] of [...modules].sort(([a], [b]) => a.localeCompare(b)))
    files.push({ name: `agent/${rel.split(sep).join("/")}`, content });
  const h = createHash("sha256").update(AGENT_DOCKERFILE);
  for (const f of files) h.update(f.name).update("\0").update(f.content).update("\0");
  return { files, tag: h.digest("hex").slice(0, 12) };
}

export interface AgentImageBuild {
  /** Registry host:port the image is pushed to. */
  registry: string;
  baseImage: string;
  caBundle?: Buffer;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /** dist/ to copy the agent from (default: this installation's). */
  root?: string;
}

/**
 * The agent image's reference in the cluster registry: the engine's copy, else the
 * registry's (same tag = same files), else built here and pushed.
 */
export async function buildAgentImage(engine: Engine, b: AgentImageBuild): Promise<string> {
  const { files, tag } = agentContext(b.root);
  const ref = `${b.registry}/wharf/agent:${tag}`;
  const progress = { ...(b.onLine ? { onLine: b.onLine } : {}), ...(b.signal ? { signal: b.signal } : {}) };
  if (await engine.images.exists(ref)) {
    await engine.images.push(ref, progress);
    return ref;
  }
  if (await pulledFromRegistry(engine, ref)) return ref;
  return buildAndPushWharfImage(engine, {
    ref,
    dockerfile: AGENT_DOCKERFILE,
    files,
    baseImage: b.baseImage,
    ...(b.caBundle ? { caBundle: b.caBundle } : {}),
    labels: { "wharf.agent": tag },
    ...(b.onLine ? { onLine: b.onLine } : {}),
    ...(b.signal ? { signal: b.signal } : {}),
  });
}
