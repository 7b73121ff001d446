// Image operations on a raw dockerode client for tests and benchmarks that drive engines
// directly (per-call registry credentials); Wharf itself goes through src/cluster/docker/images.ts.
import type Docker from "dockerode";
import { dockerodeAuth, type RegistryCredential } from "../../src/registry/auth-header.js";

interface ProgressEvent {
  error?: string;
  errorDetail?: { message?: string };
  stream?: string;
  status?: string;
}

/** Waits for a pull/push/build progress stream; rejects with the engine's own error text. */
export function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onLine?: (line: string) => void,
) {
  return new Promise<ProgressEvent[]>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: ProgressEvent[]) => {
        if (err) return reject(err);
        const failed = events.find((e) => e.error || e.errorDetail);
        if (failed)
          return reject(new Error(failed.errorDetail?.message ?? failed.error ?? "image operation failed"));
        resolve(events);
      },
      (e: ProgressEvent) => {
        const line = (e.stream ?? e.status ?? "").trimEnd();
        if (line && onLine) onLine(line);
      },
    );
  });
}

/** A pull; `cred` goes to the engine in X-Registry-Auth for this one call and is kept nowhere. */
export async function pullImage(
  docker: Docker,
  ref: string,
  onLine?: (line: string) => void,
  cred?: RegistryCredential,
): Promise<void> {
  await followProgress(docker, await docker.pull(ref, cred ? dockerodeAuth(cred) : {}), onLine);
}

export async function pushImage(
  docker: Docker,
  ref: string,
  onLine?: (line: string) => void,
  cred?: RegistryCredential,
): Promise<void> {
  const image = docker.getImage(ref);
  // dockerode needs an auth object for push even for a registry without auth.
  const auth = cred ? dockerodeAuth(cred) : { authconfig: {} };
  await followProgress(
    docker,
    (await image.push(auth as Docker.ImagePushOptions)) as NodeJS.ReadableStream,
    onLine,
  );
}

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

export async function tagImage(docker: Docker, ref: string, repo: string, tag: string): Promise<void> {
  await docker.getImage(ref).tag({ repo, tag });
}
