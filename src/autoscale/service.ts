// unit autoscale set/info/unset as domain operations, authorized as tsuru does: reading needs
// app.read, setting app.update.unit.autoscale.add, removing app.update.unit.autoscale.remove.
// A change is recorded as an event on the app.
import { BadRequestError, NotFoundError } from "../domain/errors.js";
import { clip } from "../domain/names.js";
import { appProcesses, noSuchProcess } from "../domain/services/app-processes.js";
import { visibleApp } from "../domain/services/app-read.js";
import type { Ctx } from "../domain/services/context.js";
import { withEvent } from "../domain/services/events.js";
import type { Principal } from "../domain/services/principal.js";
import { parseSpec, toSpecJson, type AutoscaleSpecJson, type SpecFields } from "./spec.js";

export async function autoscaleInfo(ctx: Ctx, p: Principal, appName: string): Promise<AutoscaleSpecJson[]> {
  const app = await visibleApp(ctx, p, appName, "app.read");
  return (await ctx.store.listAutoscale({ app: app.name })).map(toSpecJson);
}

export async function setAutoscale(
  ctx: Ctx,
  p: Principal,
  appName: string,
  body: SpecFields,
): Promise<AutoscaleSpecJson> {
  const app = await visibleApp(ctx, p, appName, "app.update.unit.autoscale.add");
  const spec = parseSpec(app.name, body, app.quota.limit);
  const known = await appProcesses(ctx.store, app.name);
  if (!known.has(spec.process)) throw new BadRequestError(noSuchProcess(app.name, clip(spec.process), known));
  const saved = await withEvent(
    ctx.store,
    p,
    {
      kind: "app.update.unit.autoscale.add",
      target: { type: "app", value: app.name },
      data: { ...spec },
    },
    { instanceId: ctx.settings.instanceId },
    () => ctx.store.setAutoscale(spec),
  );
  return toSpecJson(saved);
}

export async function unsetAutoscale(
  ctx: Ctx,
  p: Principal,
  appName: string,
  process: string,
): Promise<void> {
  const app = await visibleApp(ctx, p, appName, "app.update.unit.autoscale.remove");
  const proc = process.trim();
  if (!proc) throw new BadRequestError("Name the process whose autoscale to remove: process=web (-p web).");
  const existing = await ctx.store.listAutoscale({ app: app.name });
  if (!existing.some((a) => a.process === proc))
    throw new NotFoundError(
      existing.length
        ? `Process "${clip(proc)}" of app "${app.name}" has no autoscale: autoscaled are ${existing.map((a) => a.process).join(", ")}.`
        : `App "${app.name}" has no autoscale setting.`,
    );
  await withEvent(
    ctx.store,
    p,
    {
      kind: "app.update.unit.autoscale.remove",
      target: { type: "app", value: app.name },
      data: { process: proc },
    },
    { instanceId: ctx.settings.instanceId },
    () => ctx.store.deleteAutoscale(app.name, proc),
  );
}
