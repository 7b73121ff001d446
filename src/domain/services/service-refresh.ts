// Catching up with an asynchronous provider (an OSB broker, Wharf's built-in services): a
// provisioning or removing instance asks last_operation when it is next looked at (status,
// info, bind), rather than a background loop.
import type { ServiceInstanceRecord } from "../../store/types.js";
import type { Ctx } from "./context.js";
import { instanceRef, type ResolvedService } from "./service-resolve.js";

/**
 * Brings a provisioning/removing OSB instance up to date with its broker's last_operation.
 * Returns null when the instance is gone (an async deprovision finished).
 */
export async function refreshInstance(
  ctx: Ctx,
  svc: ResolvedService,
  inst: ServiceInstanceRecord,
): Promise<ServiceInstanceRecord | null> {
  if (svc.kind === "tsuru" || (inst.state !== "provisioning" && inst.state !== "removing")) return inst;
  const op = await svc.client.lastOperation(instanceRef(inst));
  if (op.state === "in progress")
    return ctx.store.updateServiceInstance(inst.service, inst.name, { message: op.description });
  if (inst.state === "removing" && (op.state === "succeeded" || op.gone)) {
    await ctx.store.deleteServiceInstance(inst.service, inst.name).catch(() => undefined);
    return null;
  }
  // A failed removal leaves a working instance; a failed provision leaves a failed one.
  const state = inst.state === "removing" || op.state === "succeeded" ? "ready" : "failed";
  return ctx.store.updateServiceInstance(inst.service, inst.name, {
    state,
    operation: "",
    message: op.description,
  });
}
