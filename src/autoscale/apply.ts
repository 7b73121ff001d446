// The one place the autoscaler changes a process's units: today through the docker
// provisioner's unit operations (the same ones `unit add` / `unit remove` run), so a change
// is placed by the scheduler, starts healthy before it is routed, and is removed from the
// routes before its containers stop. When unit operations move behind a Provisioner, only
// this function changes. The caller holds the app's event lock.
import type { DeployCtx } from "../deploy/context.js";
import { addUnits, removeUnits } from "../deploy/unit-ops.js";

export async function applyUnits(
  dc: DeployCtx,
  app: string,
  process: string,
  from: number,
  to: number,
  out: (line: string) => void,
): Promise<void> {
  if (to === from) return;
  const a = await dc.ctx.store.getApp(app);
  if (to > from) await addUnits(dc, a, process, to - from, out);
  else await removeUnits(dc, a, process, from - to, out);
}
