// `app run`: a command in every started unit, only the first (--once), or in a throwaway
// unit from the app's image (--isolated), as tsuru runs it; the pool's provisioner runs it.
import { BadRequestError } from "../domain/errors.js";
import type { App } from "../store/types.js";
import type { DeployCtx } from "./context.js";
import { currentVersion, provisionerOf } from "./unit-ops.js";

export async function runCommand(
  dc: DeployCtx,
  app: App,
  f: { command: string; once: boolean; isolated: boolean },
  out: (line: string) => void,
): Promise<void> {
  if (!f.command.trim()) throw new BadRequestError("You must provide the command to run.");
  await currentVersion(dc, app.name, "Running commands");
  const scope = f.isolated ? "isolated" : f.once ? "once" : "all";
  await (await provisionerOf(dc, app)).run(app, f.command, scope, { out });
}
