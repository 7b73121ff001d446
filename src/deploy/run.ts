// `app run`: a command in every started unit, only the first (--once), or in a throwaway
// container from the app's image (--isolated), as tsuru runs it.
import { BadRequestError } from "../domain/errors.js";
import type { App } from "../store/types.js";
import { execInUnit, runOnce } from "../provision/docker/index.js";
import type { DeployCtx } from "./context.js";
import { currentVersion } from "./unit-ops.js";

const wrap = (cmd: string) =>
  `[ -f /home/application/apprc ] && . /home/application/apprc; [ -d /home/application/current ] && cd /home/application/current; ${cmd}`;

export async function runCommand(
  dc: DeployCtx,
  app: App,
  f: { command: string; once: boolean; isolated: boolean },
  out: (line: string) => void,
): Promise<void> {
  if (!f.command.trim()) throw new BadRequestError("You must provide the command to run.");
  const v = await currentVersion(dc, app.name, "Running commands");
  const log = (line: string) => out(`${line}\n`);
  if (f.isolated) {
    const plan = await dc.ctx.store.getPlan(app.plan);
    const env = Object.fromEntries((await dc.ctx.store.getAppEnv(app.name)).map((e) => [e.name, e.value]));
    const units = await dc.ctx.store.listUnits({ app: app.name, status: ["started"] });
    const node = units[0]?.node ?? (await dc.ctx.store.listNodes({ pool: app.pool }))[0]?.address;
    if (!node) throw new BadRequestError(`Pool "${app.pool}" has no node to run the command on.`);
    await runOnce(
      dc.engines.engineFor(node),
      {
        app: app.name,
        version: v.version,
        image: v.image,
        env,
        limits: { memory: plan.memory, swap: plan.swap, cpuMilli: plan.cpuMilli },
      },
      wrap(f.command),
      { log },
    );
    return;
  }
  const units = (await dc.ctx.store.listUnits({ app: app.name, status: ["started"] })).filter(
    (u) => u.containerId,
  );
  if (units.length === 0)
    throw new BadRequestError(`App "${app.name}" has no started units: start it first.`);
  for (const u of f.once ? units.slice(0, 1) : units) {
    const code = await execInUnit(dc.engines.engineFor(u.node), u.containerId, wrap(f.command), { log });
    if (code !== 0) throw new BadRequestError(`unexpected exit code: ${code}`);
  }
}
