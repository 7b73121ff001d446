// Pulls an app image onto a node, streaming the engine's progress (auth: the engine adapter
// asks the registry adapter).
import type { Engine } from "../../cluster/docker/engine.js";
import { isNotFound } from "../../cluster/docker/types.js";
import { throwIfAborted } from "../../util/abort.js";

// Byte-count updates arrive many times a second per layer; the other lines say what happens.
const NOISY = /^(Downloading|Extracting|Waiting|Verifying Checksum)/;

// A connection to the node cut mid-pull ("aborted", a reset) is worth another try: pulls are
// idempotent and the layers already fetched stay. A registry's refusal is not retried.
const TRANSPORT = /\baborted\b|socket hang up|ECONNRESET|EPIPE|ETIMEDOUT/;
const ATTEMPTS = 3;

export async function pullWithProgress(
  engine: Engine,
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
  engine: Engine,
  ref: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  throwIfAborted(signal);
  await engine.images.pull(ref, {
    onLine: (line) => {
      if (!NOISY.test(line)) log(line);
    },
    ...(signal ? { signal } : {}),
  });
}

/**
 * Makes the node hold `ref` as the image `imageId`: a node's cached copy of a tag may be
 * another image (an app removed and created again under the same name numbers its versions
 * from v1 again, and another team may own it now), so a copy with another id is pulled over.
 * Fails, without starting anything, when the registry does not hold that image either.
 */
export async function ensureImage(
  engine: Engine,
  ref: string,
  imageId: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const idOf = () =>
    engine.images.inspect(ref).then(
      (i) => i.Id,
      (err: unknown) => {
        if (isNotFound(err)) return null;
        throw err;
      },
    );
  const cached = await idOf();
  if (cached === imageId) return;
  if (cached) log(`this node's ${ref} is another image (${short(cached)}, not ${short(imageId)}): pulling`);
  else log(`pulling ${ref}`);
  await pullWithProgress(engine, ref, log, signal);
  const pulled = await idOf();
  if (pulled !== imageId)
    throw new Error(
      `the cluster registry's ${ref} is not the image built for this version (${short(pulled ?? "none")}, not ${short(imageId)}): deploy the app again`,
    );
}

const short = (id: string) => id.replace(/^sha256:/, "").slice(0, 12);
