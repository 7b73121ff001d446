// Pulls an app image onto a node, streaming the engine's progress. Nodes trust the cluster
// registry through Wharf's CA, so no credentials are sent.
import type Docker from "dockerode";
import { followProgress } from "../../cluster/docker/image.js";
import { abortable, throwIfAborted } from "./streaming.js";

// Byte-count updates arrive many times a second per layer; the other lines say what happens.
const NOISY = /^(Downloading|Extracting|Waiting|Verifying Checksum)/;

// A connection to the node cut mid-pull ("aborted", a reset) is worth another try: pulls are
// idempotent and the layers already fetched stay. A registry's refusal is not retried.
const TRANSPORT = /\baborted\b|socket hang up|ECONNRESET|EPIPE|ETIMEDOUT/;
const ATTEMPTS = 3;

export async function pullWithProgress(
  engine: Docker,
  ref: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await pullOnce(engine, ref, log, signal);
    } catch (err) {
      throwIfAborted(signal);
      const msg = (err as Error).message;
      if (attempt >= ATTEMPTS || !TRANSPORT.test(msg)) throw new Error(`pulling ${ref} failed: ${msg}`);
      log(`pulling ${ref} was cut off (${msg}); trying again`);
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function pullOnce(
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
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
