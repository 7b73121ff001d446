// hooks.build of an image deploy (tsuru's "Running build hooks"): `/bin/sh -c "<h1> && <h2> …"`
// in a container of the image, committed as the version's image. The container runs user code,
// so it gets what a build step of an archive deploy gets: the build memory and CPU limits, no
// host mounts, no privileges, the build label (so the startup sweep removes it after a crash),
// and no app env (builds never see it; tsuru gives its hook container none either). It runs as
// the image's own USER, as a RUN step of that image would: a user image need not have the
// platforms' `application` user.
import { randomBytes } from "node:crypto";
import type { Engine } from "../cluster/docker/engine.js";
import { pumpOutput } from "../cluster/docker/frames.js";
import type { ContainerCreateOptions, HostConfig } from "../cluster/docker/types.js";
import { BUILD_LABEL, BuildCancelledError, BuildFailedError, type BuildLimits } from "./build-run.js";

/** How many lines of a failing hook's output the error keeps (as for a failing build step). */
const HOOK_TAIL = 40;

export interface RunImageHooksRequest {
  engine: Engine;
  /** The image id the hooks run in. */
  image: string;
  /** The original image's config: its entrypoint and cmd are restored on the commit. */
  config: { Entrypoint?: string[] | string | null; Cmd?: string[] | string | null };
  hooks: string[];
  app: string;
  /** `<repo>:<tag>` the result is committed as. */
  target: string;
  limits?: BuildLimits;
  /** Already masked. */
  log: (line: string) => void;
  /** Applied to the hook's output before it is logged or kept for an error. */
  mask: (line: string) => string;
  signal?: AbortSignal;
}

/** tsuru's hook command: every hook in one shell, stopping at the first that fails. */
export function hookCommand(hooks: readonly string[]): string {
  return hooks.join(" && ");
}

/** Same limits as a build step (app-image.ts dockerBuild): memory without swap, CPU caps. */
export function hookHostConfig(limits: BuildLimits = {}): HostConfig {
  return {
    Privileged: false,
    Binds: [],
    Mounts: [],
    RestartPolicy: { Name: "no" },
    ...(limits.memory ? { Memory: limits.memory, MemorySwap: limits.memory } : {}),
    ...(limits.cpuShares ? { CpuShares: limits.cpuShares } : {}),
    ...(limits.cpuMilli ? { CpuPeriod: 100_000, CpuQuota: Math.round(limits.cpuMilli * 100) } : {}),
  };
}

export function hookContainerOptions(
  req: Pick<RunImageHooksRequest, "image" | "hooks" | "app" | "limits">,
  name: string,
): ContainerCreateOptions {
  return {
    name,
    Image: req.image,
    // The whole command in the entrypoint and an empty cmd: the commit below can then restore
    // an image that had neither (an empty cmd in the commit's config would fall back to the
    // container's cmd, i.e. the hook command).
    Entrypoint: ["/bin/sh", "-c", hookCommand(req.hooks)],
    Cmd: [],
    Labels: { [BUILD_LABEL]: req.app },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    HostConfig: hookHostConfig(req.limits),
  };
}

/**
 * The commit's config: the image's own entrypoint and cmd instead of the hook command. Docker
 * fills every field left out (user, env, workdir, labels, ports) from the container, which
 * has the image's, plus the build label that Wharf's own images carry too.
 */
export function commitConfig(config: RunImageHooksRequest["config"]): {
  Entrypoint: string[];
  Cmd: string[];
} {
  const asList = (v: string[] | string | null | undefined) => (v == null ? [] : Array.isArray(v) ? v : [v]);
  // [] rather than null: Docker reads a null entrypoint as "keep the container's".
  return { Entrypoint: asList(config.Entrypoint), Cmd: asList(config.Cmd) };
}

/** Runs the hooks and commits the result as `target`; returns the new image id. */
export async function runImageHooks(req: RunImageHooksRequest): Promise<string> {
  const cancelled = () => new BuildCancelledError(req.signal?.reason);
  if (req.signal?.aborted) throw cancelled();
  const engine = req.engine;
  const name = `wharf-hooks-${req.app}-${randomBytes(5).toString("hex")}`;
  const id = await engine.containers.create(hookContainerOptions(req, name));
  const remove = () => engine.containers.remove(id, { force: true });
  // Removing the container ends the attach stream and the wait at once.
  const onAbort = () => void remove().catch(() => undefined);
  req.signal?.addEventListener("abort", onAbort, { once: true });
  const tail: string[] = [];
  const emit = (raw: string) => {
    const line = req.mask(raw);
    tail.push(line);
    if (tail.length > HOOK_TAIL) tail.shift();
    req.log(line);
  };
  try {
    // An abort during the create came before the listener: it would not fire.
    if (req.signal?.aborted) throw cancelled();
    req.log(`  ---> Running ${JSON.stringify(hookCommand(req.hooks))}`);
    // Attach and wait before start (hooks may be silent for minutes: these have no idle
    // timeout), so no output and no exit can be missed.
    const output = await engine.containers.attach(id);
    const pumped = pumpOutput(output, emit);
    const exited = engine.containers.wait(id);
    exited.catch(() => undefined); // an abort removes the container under it
    await engine.containers.start(id);
    const StatusCode = await exited;
    await pumped;
    if (req.signal?.aborted) throw cancelled();
    if (StatusCode !== 0) {
      const oom = (await engine.containers.inspect(id).catch(() => undefined))?.State?.OOMKilled;
      throw new BuildFailedError(
        `hooks.build exited with code ${StatusCode}` +
          (oom ? " (killed for using more than the build memory limit)" : ""),
        [...tail],
      );
    }
    const colon = req.target.lastIndexOf(":");
    return await engine.containers.commit(id, {
      repo: req.target.slice(0, colon),
      tag: req.target.slice(colon + 1),
      config: commitConfig(req.config),
    });
  } catch (err) {
    if (req.signal?.aborted) throw cancelled();
    throw err;
  } finally {
    req.signal?.removeEventListener("abort", onAbort);
    // Waits out a removal the abort started, so nothing of the hook is left when this returns.
    await engine.containers.removeAndWait(id).catch(() => undefined);
  }
}
