// Pulls an app image onto a node, streaming the engine's progress (auth: the engine adapter
// asks the registry adapter).
import type { Engine } from "../../cluster/docker/engine.js";
import { throwIfAborted } from "../../util/abort.js";

// Byte-count updates arrive many times a second per layer; the other lines say what happens.
const NOISY = /^(Downloading|Extracting|Waiting|Verifying Checksum)/;

export async function pullWithProgress(
  engine: Engine,
  ref: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  throwIfAborted(signal);
  try {
    await engine.images.pull(ref, {
      onLine: (line) => {
        if (!NOISY.test(line)) log(line);
      },
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    throwIfAborted(signal);
    throw new Error(`pulling ${ref} failed: ${(err as Error).message}`);
  }
}
