// `app run`: a command in a fresh container of the app image (`--once`), or inside a
// running unit. Output streams line by line as it happens; the exit code is returned.
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { BadRequestError, ConflictError, NotFoundError } from "../../domain/errors.js";
import { imageExists } from "../../cluster/docker/image.js";
import { pumpOutput, type StreamName } from "./logs.js";
import { pullWithProgress } from "./pull.js";
import {
  isolatedHostConfig,
  LABELS,
  validateCommand,
  validateEnv,
  validateUnitSpec,
  type UnitLimits,
  type UnitSpec,
} from "./spec.js";
import {
  abortable,
  abortError,
  forChanges,
  isNotFound,
  longLived,
  removeAndWait,
  throwIfAborted,
} from "./streaming.js";

export type OutputLog = (line: string, stream: StreamName) => void;

/** What a one-off container needs from the app: its image, env and plan limits. */
export type OneOffSpec = Pick<UnitSpec, "app" | "version" | "image" | "env"> & {
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
  engine: Docker,
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
  const streaming = longLived(engine);
  if (!(await imageExists(engine, spec.image))) {
    await pullWithProgress(streaming, spec.image, opts.pullLog ?? ((l) => log(l, "stderr")), opts.signal);
  }
  throwIfAborted(opts.signal);

  const container = await forChanges(engine).createContainer({
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
  const live = streaming.getContainer(container.id);
  try {
    // Attach and wait before start, so no output and no exit can be missed.
    const output = (await live.attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    const pumped = pumpOutput(output, log);
    const exited = live.wait({ condition: "next-exit" }) as Promise<{ StatusCode: number }>;
    exited.catch(() => {}); // observed below; avoid an unhandled rejection on abort
    await forChanges(engine).getContainer(container.id).start();
    const { StatusCode } = await abortable(exited, opts.signal);
    await abortable(pumped, opts.signal);
    return StatusCode;
  } catch (err) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    throw err;
  } finally {
    await removeAndWait(engine, container.id);
  }
}

/** Runs `cmd` via `/bin/sh -c` inside a running unit; streams output, returns the exit code. */
export async function execInUnit(
  engine: Docker,
  containerId: string,
  cmd: string,
  opts: { log?: OutputLog; signal?: AbortSignal } = {},
): Promise<number> {
  validateCommand(cmd);
  if (!cmd.trim()) throw new BadRequestError("the command is empty");
  const log = opts.log ?? (() => {});
  let exec: Docker.Exec;
  try {
    exec = await engine.getContainer(containerId).exec({
      Cmd: ["/bin/sh", "-c", cmd],
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
  } catch (err) {
    if (isNotFound(err)) throw new NotFoundError(`unit container ${containerId} does not exist on this node`);
    if ((err as { statusCode?: number }).statusCode === 409) {
      throw new ConflictError(`unit container ${containerId} is not running; start the app first`);
    }
    throw err;
  }
  const stream = await longLived(engine).getExec(exec.id).start({ hijack: true, stdin: false });
  const onAbort = () => (stream as unknown as { destroy: () => void }).destroy();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    await abortable(pumpOutput(stream, log), opts.signal);
  } finally {
    opts.signal?.removeEventListener("abort", onAbort);
  }
  // The stream can end a moment before the engine records the exit code.
  for (let i = 0; ; i++) {
    const info = await exec.inspect();
    if (!info.Running || i >= 50) return info.ExitCode ?? -1;
    await new Promise((r) => setTimeout(r, 20));
  }
}
