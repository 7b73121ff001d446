// A unit's last log lines, without Docker's framing (src/cluster/docker/frames.ts).
import type { Engine } from "../../cluster/docker/engine.js";
import { logLines } from "../../cluster/docker/frames.js";

/** The last `lines` lines a container wrote (stdout and stderr, in order). */
export async function unitLogs(engine: Engine, containerId: string, lines = 10): Promise<string[]> {
  const info = await engine.containers.inspect(containerId);
  const raw = await engine.containers.logs(containerId, { tail: lines });
  return logLines(raw, Boolean(info.Config.Tty), lines);
}
