// Running one `docker build` on a node engine and watching it: output goes to the caller
// line by line as it happens, a failing step becomes an error carrying that step's output,
// and a cancelled or failed build leaves no container behind. Step containers are found two
// ways: the ids the builder announces ("Running in <id>"), and the `wharf.build=<app>` label
// the generated Dockerfile sets right after FROM (step containers inherit it), which also
// catches a container created just before the cancel. The label's value is the app, not the
// build, so it does not defeat the layer cache; the deploy service builds an app once at a time.
import Docker from "dockerode";
import type { Readable } from "node:stream";
import { BadRequestError } from "../domain/errors.js";
import { pullImage } from "../cluster/docker/image.js";

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

/**
 * Docker's client timeout is an idle timeout on the whole request, and build steps (npm ci)
 * can be silent for minutes. Builds use a client of their own with the same connection
 * settings and no idle timeout; cancelling is the AbortSignal's job.
 */
export function buildClient(docker: Docker): Docker {
  const m = docker.modem as unknown as Record<string, unknown>;
  const opts: Record<string, unknown> = {};
  for (const k of ["socketPath", "host", "port", "protocol", "ca", "cert", "key", "version", "agent"]) {
    if (m[k] !== undefined) opts[k] = m[k];
  }
  return new Docker(opts as Docker.DockerOptions);
}

/** Masks secret values in a line before it leaves the build. */
export function masker(secrets: readonly string[] = []): (line: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (l) => l;
  return (line) => values.reduce((acc, v) => acc.split(v).join("*****"), line);
}

interface StreamEvent {
  id?: string;
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string; Digest?: string };
}

export interface RunBuildOptions {
  context: Readable;
  buildId: string;
  /** Build options without abortSignal (given separately). */
  options: Docker.ImageBuildOptions;
  log: (line: string) => void;
  signal?: AbortSignal;
  mask: (line: string) => string;
}

/** Runs the build to completion; returns the image id the engine reported. */
export async function runBuild(docker: Docker, o: RunBuildOptions): Promise<string | undefined> {
  const client = buildClient(docker);
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
    const stream = (await client.buildImage(o.context, {
      ...o.options,
      abortSignal: o.signal,
    })) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      client.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (e: StreamEvent) => {
          if (e.aux?.ID) imageId = e.aux.ID;
          if (e.error || e.errorDetail) {
            failure = e.errorDetail?.message ?? e.error;
            return;
          }
          // Build output arrives in chunks that may hold several lines or half of one.
          const text = partial + (e.stream ?? (e.status ? `${e.status}\n` : ""));
          const lines = text.split("\n");
          partial = lines.pop() ?? "";
          lines.forEach(emit);
        },
      );
    });
    if (partial) emit(partial);
    if (o.signal?.aborted) throw new BuildCancelledError(o.signal.reason);
    if (failure !== undefined) throw new BuildFailedError(o.mask(failure), [...stepOutput]);
    return imageId;
  } catch (err) {
    await removeBuildContainers(docker, o.buildId, stepContainers);
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
  docker: Docker,
  buildId: string,
  known: Iterable<string> = [],
): Promise<void> {
  const filters = JSON.stringify({ label: [`${BUILD_LABEL}=${buildId}`] });
  const remove = (id: string) =>
    docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
  await Promise.all([...known].map(remove));
  for (let attempt = 0; attempt < 20; attempt++) {
    // The app image carries the label too, so the app's units (wharf.managed) and one-off
    // runs (wharf.oneoff) match the filter: they are not this build's and must survive.
    const found = (await docker.listContainers({ all: true, filters }).catch(() => [])).filter(
      (c) => !c.Labels?.["wharf.managed"] && !c.Labels?.["wharf.oneoff"],
    );
    if (found.length === 0 && attempt > 0) return;
    await Promise.all(found.map((c) => remove(c.Id)));
    // The engine may still be creating the next step's container: look again briefly.
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Makes sure the node has `ref` locally, pulling it from the cluster registry if needed. */
export async function ensureImage(docker: Docker, ref: string, log: (line: string) => void): Promise<void> {
  try {
    await docker.getImage(ref).inspect();
    return;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  log(`pulling ${ref}`);
  await pullImage(docker, ref);
}

/** Pushes `ref` and returns the manifest digest the registry reported, when it did. */
export async function pushWithDigest(
  docker: Docker,
  ref: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const stream = (await docker
    .getImage(ref)
    .push({ authconfig: {}, abortSignal: signal } as Docker.ImagePushOptions)) as NodeJS.ReadableStream;
  let digest: string | undefined;
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(err) : resolve()),
      (e: StreamEvent) => {
        if (e.error || e.errorDetail) failure = e.errorDetail?.message ?? e.error;
        if (e.aux?.Digest) digest = e.aux.Digest;
        // Per-layer progress bars are noise in a deploy log; keep the layer outcomes.
        if (e.status && /Pushed|already exists|digest:/.test(e.status))
          log(e.id ? `${e.id}: ${e.status}` : e.status);
      },
    ),
  );
  if (failure !== undefined) throw new Error(`pushing ${ref} to the cluster registry failed: ${failure}`);
  return digest;
}
