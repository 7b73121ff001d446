// Pulls an app image onto a node, streaming the engine's progress. Nodes trust the cluster
// registry through Wharf's CA, so no credentials are sent.
import type Docker from "dockerode";
import { followProgress } from "../../cluster/docker/image.js";
import { abortable, throwIfAborted } from "./streaming.js";

// Byte-count updates arrive many times a second per layer; the other lines say what happens.
const NOISY = /^(Downloading|Extracting|Waiting|Verifying Checksum)/;

export async function pullWithProgress(
  engine: Docker,
  ref: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  throwIfAborted(signal);
  const stream = (await engine.pull(ref, signal ? { abortSignal: signal } : {})) as NodeJS.ReadableStream;
  const onAbort = () => (stream as unknown as { destroy?: () => void }).destroy?.();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await abortable(
      followProgress(engine, stream, (line) => {
        if (!NOISY.test(line)) log(line);
      }),
      signal,
    );
  } catch (err) {
    throwIfAborted(signal);
    throw new Error(`pulling ${ref} failed: ${(err as Error).message}`);
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
