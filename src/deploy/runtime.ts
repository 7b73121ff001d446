// The RuntimePort domain services call (platform builds, env restarts, app removal, node
// drains), on the deploy side src/server/deploy-side.ts assembles.
import { BadRequestError } from "../domain/errors.js";
import type { RuntimePort } from "../domain/services/runtime-port.js";
import { canRebalance } from "../provision/capabilities.js";
import type { DeployCtx } from "./context.js";
import { buildPlatform } from "./build-version.js";
import { removeAllUnits, restartApp } from "./unit-ops.js";

export function runtimePort(dc: DeployCtx): RuntimePort {
  return {
    buildPlatform: (name, dockerfile, out) => buildPlatform(dc, name, dockerfile, out),
    restartApp: async (app, out) => {
      const rt = await dc.ctx.store.getAppRuntime(app);
      if (!rt.routableVersion) return;
      await restartApp(dc, await dc.ctx.store.getApp(app), "", out);
    },
    removeAppUnits: (app) => removeAllUnits(dc, app),
    provisioners: () => dc.provisioners.names(),
    checkDrain: async (address) => (await rebalancerOf(dc, address)).checkDrain(address),
    drainNode: async (address, out) => (await rebalancerOf(dc, address)).drainNode(address, out),
  };
}

/** The provisioner of the node's pool, which must be able to move units off it. */
async function rebalancerOf(dc: DeployCtx, address: string) {
  const node = await dc.ctx.store.findNode(address);
  const p = await dc.provisioners.forPool(dc.ctx.store, node?.pool ?? "");
  if (!canRebalance(p))
    throw new BadRequestError(
      `Pool "${node?.pool ?? ""}" (provisioner ${p.name}) cannot move units off a node.`,
    );
  return p;
}
