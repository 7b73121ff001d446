// Tests inspect engines with raw dockerode clients and hand Wharf code the engine adapter's
// Engine for the same client (src/cluster/docker). These wrap one in the other, once each.
import type Docker from "dockerode";
import type { Readable } from "node:stream";
import { dockerEngine, type Engine } from "../../src/cluster/docker/engine.js";
import { followProgress as follow } from "../../src/cluster/docker/images.js";
import type { ImageBuildOptions } from "../../src/cluster/docker/types.js";
import { dockerodeAuth, type RegistryCredential } from "../../src/registry/auth-header.js";

const engines = new WeakMap<Docker, Engine>();

export function engineOf(docker: Docker): Engine {
  let e = engines.get(docker);
  if (!e) {
    e = dockerEngine(docker);
    engines.set(docker, e);
  }
  return e;
}

/** Progress lines and this call's X-Registry-Auth (kept nowhere), as the engine adapter takes them. */
const opts = (onLine?: (line: string) => void, cred?: RegistryCredential) => ({
  ...(onLine ? { onLine } : {}),
  ...(cred ? { auth: dockerodeAuth(cred).authconfig } : {}),
});

export const pullImage = (
  docker: Docker,
  ref: string,
  onLine?: (line: string) => void,
  cred?: RegistryCredential,
): Promise<void> => engineOf(docker).images.pull(ref, opts(onLine, cred));

export async function pushImage(
  docker: Docker,
  ref: string,
  onLine?: (line: string) => void,
  cred?: RegistryCredential,
): Promise<void> {
  await engineOf(docker).images.push(ref, opts(onLine, cred));
}

export const tagImage = (docker: Docker, ref: string, repo: string, tag: string): Promise<void> =>
  engineOf(docker).images.tag(ref, repo, tag);

export const imageExists = (docker: Docker, ref: string): Promise<boolean> =>
  engineOf(docker).images.exists(ref);

/** docker build of a tar context, failing with the engine's error text; each output line to onLine. */
export async function buildImage(
  docker: Docker,
  context: Readable,
  opts: ImageBuildOptions,
  onLine?: (line: string) => void,
): Promise<void> {
  await engineOf(docker).images.build(context, opts, onLine ? { onLine } : {});
}

/** Waits for a raw dockerode progress stream (pull, push, build); rejects with the engine's error. */
export async function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onLine?: (line: string) => void,
): Promise<void> {
  await follow(docker, stream, onLine ? { onLine } : {});
}
