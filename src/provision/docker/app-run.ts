// `app run` on a docker pool: a command in a throwaway container of the app image
// (isolated), in the first started unit (once) or in every started unit, as tsuru runs it.
import { BadRequestError } from "../../domain/errors.js";
import type { App, AppVersionRecord } from "../../store/types.js";
import type { OpOptions, RunScope } from "../provisioner.js";
import type { DockerCtx } from "./context.js";
import { execInUnit, runOnce } from "./run.js";

/** The app's own rc file and directory, as tsuru's deploy agent leaves them in the image. */
const wrap = (cmd: string) =>
  `[ -f /home/application/apprc ] && . /home/application/apprc; [ -d /home/application/current ] && cd /home/application/current; ${cmd}`;

export async function runInApp(
  dc: DockerCtx,
  app: App,
  v: AppVersionRecord,
  command: string,
  scope: RunScope,
  o: OpOptions,
): Promise<void> {
  const store = dc.store;
  const log = (line: string) => o.out(`${line}\n`);
  const started = (await store.listUnits({ app: app.name, status: ["started"] })).filter(
    (u) => u.containerId,
  );
  if (scope === "isolated") {
    const plan = await store.getPlan(app.plan);
    const env = Object.fromEntries((await store.getAppEnv(app.name)).map((e) => [e.name, e.value]));
    const node = started[0]?.node ?? (await store.listNodes({ pool: app.pool }))[0]?.address;
    if (!node) throw new BadRequestError(`Pool "${app.pool}" has no node to run the command on.`);
    await runOnce(
      dc.engines.engineFor(node),
      {
        app: app.name,
        version: v.version,
        image: v.image,
        ...(v.imageId ? { imageId: v.imageId } : {}),
        env,
        limits: { memory: plan.memory, swap: plan.swap, cpuMilli: plan.cpuMilli },
      },
      wrap(command),
      { log, ...(o.signal ? { signal: o.signal } : {}) },
    );
    return;
  }
  if (started.length === 0)
    throw new BadRequestError(`App "${app.name}" has no started units: start it first.`);
  for (const u of scope === "once" ? started.slice(0, 1) : started) {
    const code = await execInUnit(dc.engines.engineFor(u.node), u.containerId, wrap(command), { log });
    if (code !== 0) throw new BadRequestError(`unexpected exit code: ${code}`);
  }
}
