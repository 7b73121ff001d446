// Running one `docker build` on a node engine and watching it: output goes to the caller
// line by line as it happens, a failing step becomes an error carrying that step's output,
// and a cancelled or failed build leaves no container behind. Step containers are found two
// ways: the ids the builder announces ("Running in <id>"), and the `wharf.build=<app>` label
// the generated Dockerfile sets right after FROM (step containers inherit it), which also
// catches a container created just before the cancel. The label's value is the app, not the
// build, so it does not defeat the layer cache; the deploy service builds an app once at a time.
import type { Readable } from "node:stream";
import type { Engine } from "../cluster/docker/engine.js";
import { isNotFound, type ImageBuildOptions, type ProgressEvent } from "../cluster/docker/types.js";
import { BadRequestError } from "../domain/errors.js";

export const BUILD_LABEL = "wharf.build";
/** How many lines of a failing step's output the error keeps. */
const STEP_TAIL = 40;
// The classic builder colours a step's stderr red; logs and errors want plain text.
const ANSI_SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
// Builder bookkeeping, kept in the log but not in a failing step's output.
const BUILDER_NOISE = /^(?: ---> |Removing intermediate container )/;

/** A build step (platform build, hooks.build, a user's RUN) exited non-zero. */
export class BuildFailedError extends BadRequestError {
  constructor(
    readonly reason: string,
    /** The failing step's last output lines (secrets masked). */
    readonly output: string[],
  ) {
    super(
      `the build failed: ${reason}` +
        (output.length ? `\n--- output of the failing step ---\n${output.join("\n")}` : "") +
        "\nfix the build step and deploy again",
    );
  }
}

/** Raised when the caller's AbortSignal stops a build; `cause` is the signal's reason. */
export class BuildCancelledError extends Error {
  constructor(cause: unknown) {
    super("the build was cancelled", { cause });
    this.name = "BuildCancelledError";
  }
}

export interface BuildLimits {
  /** Memory cap of each build step, in bytes (swap is not allowed on top). */
  memory?: number;
  /** Hard CPU cap in thousandths of a core (1500 = 1.5 cores), like --cpus. */
  cpuMilli?: number;
  /** Relative CPU weight (Docker's --cpu-shares). */
  cpuShares?: number;
}

/** A LABEL value as the Dockerfile reads it: JSON-quoted, `$` kept from variable expansion. */
const labelValue = (v: string) => JSON.stringify(v).replace(/\$/g, "\\$");

/**
 * Inserts the build label after every FROM so each stage's step containers carry it; the
 * last stage's label line also carries `imageLabels`. Right after FROM, that step is a cache
 * hit on every build with the same labels, where a LABEL at the end would cost a step
 * container (a commit) on every build.
 */
export function labelStages(
  dockerfile: string,
  buildId: string,
  imageLabels: Record<string, string> = {},
): string {
  const lines = dockerfile.split("\n");
  const froms = lines.flatMap((line, i) => (/^\s*FROM\s/i.test(line) ? [i] : []));
  const last = froms.at(-1);
  const extra = Object.entries(imageLabels)
    .map(([k, v]) => ` ${k}=${labelValue(v)}`)
    .join("");
  return lines
    .flatMap((line, i) =>
      froms.includes(i)
        ? [line, `LABEL ${BUILD_LABEL}=${labelValue(buildId)}${i === last ? extra : ""}`]
        : [line],
    )
    .join("\n");
}

/** Masks secret values in a line before it leaves the build. */
export function masker(secrets: readonly string[] = []): (line: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (l) => l;
  return (line) => values.reduce((acc, v) => acc.split(v).join("*****"), line);
}

export interface RunBuildOptions {
  context: Readable;
  buildId: string;
  /** Build options without abortSignal (given separately). */
  options: ImageBuildOptions;
  log: (line: string) => void;
  signal?: AbortSignal;
  mask: (line: string) => string;
}

/** Runs the build to completion; returns the image id the engine reported. */
export async function runBuild(engine: Engine, o: RunBuildOptions): Promise<string | undefined> {
  const stepOutput: string[] = [];
  const stepContainers = new Set<string>();
  let imageId: string | undefined;
  let failure: string | undefined;
  let partial = "";
  const emit = (raw: string) => {
    const line = o.mask(raw.replace(ANSI_SGR, "").trimEnd());
    if (line === "") return;
    const running = /^ ---> Running in ([0-9a-f]{12,64})$/.exec(line);
    if (running) stepContainers.add(running[1]!);
    if (/^Step \d+\/\d+ :/.test(line)) stepOutput.length = 0;
    else if (!BUILDER_NOISE.test(line)) {
      stepOutput.push(line);
      if (stepOutput.length > STEP_TAIL) stepOutput.shift();
    }
    o.log(line);
  };
  try {
    if (o.signal?.aborted) throw new BuildCancelledError(o.signal.reason);
    const onEvent = (e: ProgressEvent) => {
      if (e.error || e.errorDetail) {
        failure = e.errorDetail?.message ?? e.error;
        return;
      }
      // Build output arrives in chunks that may hold several lines or half of one.
      const text = partial + (e.stream ?? (e.status ? `${e.status}\n` : ""));
      const lines = text.split("\n");
      partial = lines.pop() ?? "";
      lines.forEach(emit);
    };
    try {
      imageId = await engine.images.build(o.context, o.options, {
        onEvent,
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (err) {
      // A failing step is an error event (kept in `failure`); anything else is the engine's.
      if (failure === undefined) throw err;
    }
    if (partial) emit(partial);
    if (o.signal?.aborted) throw new BuildCancelledError(o.signal.reason);
    if (failure !== undefined) throw new BuildFailedError(o.mask(failure), [...stepOutput]);
    return imageId;
  } catch (err) {
    await removeBuildContainers(engine, o.buildId, stepContainers);
    if (o.signal?.aborted && !(err instanceof BuildCancelledError))
      throw new BuildCancelledError(o.signal.reason);
    throw err;
  }
}

/**
 * Removes (force) every container of this build. The engine stops a cancelled classic build
 * shortly after the client goes away; waiting for that and removing what is left makes
 * "nothing left running" hold when this returns.
 */
export async function removeBuildContainers(
  engine: Engine,
  buildId: string,
  known: Iterable<string> = [],
): Promise<void> {
  const remove = (id: string) => engine.containers.remove(id, { force: true }).catch(() => undefined);
  await Promise.all([...known].map(remove));
  for (let attempt = 0; attempt < 20; attempt++) {
    // The app image carries the label too, so the app's units (wharf.managed) and one-off
    // runs (wharf.oneoff) match the filter: they are not this build's and must survive.
    const found = (
      await engine.containers.list({ all: true, labels: [`${BUILD_LABEL}=${buildId}`] }).catch(() => [])
    ).filter((c) => !c.Labels?.["wharf.managed"] && !c.Labels?.["wharf.oneoff"]);
    if (found.length === 0 && attempt > 0) return;
    await Promise.all(found.map((c) => remove(c.Id)));
    // The engine may still be creating the next step's container: look again briefly.
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Makes sure the node has `ref` locally, pulling it from the cluster registry if needed. */
export async function ensureImage(engine: Engine, ref: string, log: (line: string) => void): Promise<void> {
  try {
    await engine.images.inspect(ref);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  log(`pulling ${ref}`);
  await engine.images.pull(ref);
}

/** Pushes `ref` and returns the manifest digest the registry reported, when it did. */
export async function pushWithDigest(
  engine: Engine,
  ref: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string | undefined> {
  let failure: string | undefined;
  try {
    return await engine.images.push(ref, {
      onEvent: (e) => {
        if (e.error || e.errorDetail) failure = e.errorDetail?.message ?? e.error;
        // Per-layer progress bars are noise in a deploy log; keep the layer outcomes.
        if (e.status && /Pushed|already exists|digest:/.test(e.status))
          log(e.id ? `${e.id}: ${e.status}` : e.status);
      },
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (failure === undefined) throw err;
    throw new Error(`pushing ${ref} to the cluster registry failed: ${failure}`);
  }
}
