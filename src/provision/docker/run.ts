// `app run`: a command in a fresh container of the app image (`--once`), or inside a
// running unit. Output streams line by line as it happens; the exit code is returned.
import { randomBytes } from "node:crypto";
import { forChanges, type Engine } from "../../cluster/docker/engine.js";
import { execExitCode } from "../../cluster/docker/exec.js";
import { Demuxer, LineSplitter, pumpOutput, type StreamName } from "../../cluster/docker/frames.js";
import { engineStatus, isNotFound } from "../../cluster/docker/types.js";
import { abortable, abortError, throwIfAborted } from "../../util/abort.js";
import { BadRequestError, ConflictError, NotFoundError } from "../../domain/errors.js";
import { ensureImage, pullWithProgress } from "./pull.js";
import {
  isolatedHostConfig,
  LABELS,
  validateCommand,
  validateEnv,
  validateUnitSpec,
  type UnitLimits,
  type UnitSpec,
} from "./spec.js";

export type OutputLog = (line: string, stream: StreamName) => void;

/** What a one-off container needs from the app: its image, env and plan limits. */
export type OneOffSpec = Pick<UnitSpec, "app" | "version" | "image" | "imageId" | "env"> & {
  limits: UnitLimits;
  extraLabels?: Record<string, string>;
};

/** tsuru's one-off env: the app's env and names, with an empty process name. */
function oneOffEnv(spec: OneOffSpec): string[] {
  const env = new Map(
    Object.keys(spec.env)
      .sort()
      .map((k) => [k, spec.env[k]!] as const),
  );
  for (const [k, v] of Object.entries({
    WHARF_APPNAME: spec.app,
    TSURU_APPNAME: spec.app,
    WHARF_PROCESSNAME: "",
    TSURU_PROCESSNAME: "",
    WHARF_APPVERSION: String(spec.version),
    TSURU_APPVERSION: String(spec.version),
  })) {
    env.delete(k);
    env.set(k, v);
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/**
 * Runs `cmd` via `/bin/sh -c` in a new container of the app image, with the app's env and
 * plan limits; streams its output and returns its exit code. The container is removed
 * afterwards, and Docker removes it by itself (AutoRemove) if Wharf dies meanwhile.
 */
export async function runOnce(
  engine: Engine,
  spec: OneOffSpec,
  cmd: string,
  opts: { log?: OutputLog; signal?: AbortSignal; pullLog?: (line: string) => void } = {},
): Promise<number> {
  // Reuse the unit validation for image, app, version and limits.
  validateUnitSpec({
    ...spec,
    id: "run",
    process: "run",
    command: undefined,
    port: 1,
    nodeAddress: "127.0.0.1",
  });
  validateCommand(cmd);
  validateEnv(spec.env);
  const log = opts.log ?? (() => {});
  const pullLog = opts.pullLog ?? ((l: string) => log(l, "stderr"));
  if (spec.imageId) await ensureImage(engine, spec.image, spec.imageId, pullLog, opts.signal);
  else if (!(await engine.images.exists(spec.image)))
    await pullWithProgress(engine, spec.image, pullLog, opts.signal);
  throwIfAborted(opts.signal);

  const id = await forChanges(engine).containers.create({
    name: `wharf-run-${spec.app}-${randomBytes(5).toString("hex")}`,
    Image: spec.image,
    Entrypoint: ["/bin/sh", "-c"],
    Cmd: [cmd],
    Env: oneOffEnv(spec),
    Labels: {
      ...spec.extraLabels,
      [LABELS.oneoff]: "true",
      [LABELS.app]: spec.app,
      [LABELS.version]: String(spec.version),
    },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: { ...isolatedHostConfig(spec.limits), AutoRemove: true },
  });
  try {
    // Attach and wait before start, so no output and no exit can be missed.
    const output = await engine.containers.attach(id);
    const pumped = pumpOutput(output, log);
    const exited = engine.containers.wait(id);
    exited.catch(() => {}); // observed below; avoid an unhandled rejection on abort
    await forChanges(engine).containers.start(id);
    const code = await abortable(exited, opts.signal);
    await abortable(pumped, opts.signal);
    return code;
  } catch (err) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    throw err;
  } finally {
    await engine.containers.removeAndWait(id);
  }
}

/**
 * Runs argv inside a running unit, with or without a TTY; output goes to the writers as it
 * comes (without a TTY stdout and stderr apart), stdin is piped in; returns the exit code.
 */
export async function execInContainer(
  engine: Engine,
  containerId: string,
  o: {
    command: string[];
    tty: boolean;
    stdin?: NodeJS.ReadableStream;
    stdout: (chunk: Buffer, stream: StreamName) => void;
    size?: { width: number; height: number };
    signal?: AbortSignal;
  },
): Promise<number> {
  let id: string;
  try {
    id = await engine.exec.create(containerId, { cmd: o.command, tty: o.tty, stdin: Boolean(o.stdin) });
  } catch (err) {
    if (isNotFound(err)) throw new NotFoundError(`unit container ${containerId} does not exist on this node`);
    if (engineStatus(err) === 409) {
      throw new ConflictError(`unit container ${containerId} is not running; start the app first`);
    }
    throw err;
  }
  const stream = await engine.exec.start(id, { stdin: Boolean(o.stdin), tty: o.tty });
  if (o.tty && o.size) await engine.exec.resize(id, o.size).catch(() => undefined);
  if (o.stdin) o.stdin.pipe(stream);
  const onAbort = () => (stream as unknown as { destroy: () => void }).destroy();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const demux = new Demuxer();
  try {
    await abortable(
      new Promise<void>((resolve, reject) => {
        stream.on("data", (chunk: Buffer) => {
          if (o.tty) o.stdout(chunk, "stdout");
          else for (const f of demux.push(chunk)) o.stdout(f.data, f.stream);
        });
        stream.once("end", resolve);
        stream.once("close", resolve);
        stream.once("error", reject);
      }),
      o.signal,
    );
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
  }
  return execExitCode(engine.exec, id);
}

/** Runs `cmd` via `/bin/sh -c` inside a running unit; streams output by line, returns the exit code. */
export async function execInUnit(
  engine: Engine,
  containerId: string,
  cmd: string,
  opts: { log?: OutputLog; signal?: AbortSignal } = {},
): Promise<number> {
  validateCommand(cmd);
  if (!cmd.trim()) throw new BadRequestError("the command is empty");
  const log = opts.log ?? (() => {});
  const lines: Record<StreamName, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  const code = await execInContainer(engine, containerId, {
    command: ["/bin/sh", "-c", cmd],
    tty: false,
    stdout: (chunk, stream) => {
      for (const l of lines[stream].push(chunk.toString("utf8"))) log(l, stream);
    },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  for (const s of ["stdout", "stderr"] as const) for (const l of lines[s].flush()) log(l, s);
  return code;
}
