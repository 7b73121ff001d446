// Teams that may use a service instance besides its owner (tsuru's service-instance-grant and
// -revoke): PUT/DELETE /services/{service}/instances/permission/{instance}/{team}.
import { BadRequestError, ConflictError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import type { Principal } from "./principal.js";
import { visibleInstance } from "./service-resolve.js";
import { mapped } from "./store-errors.js";

export async function changeInstanceTeam(
  ctx: Ctx,
  p: Principal,
  service: string,
  name: string,
  team: string,
  grant: boolean,
): Promise<void> {
  const scheme = grant ? "service-instance.update.grant" : "service-instance.update.revoke";
  const { svc, inst } = await visibleInstance(ctx, p, service, name, scheme);
  if (!(await ctx.store.findTeam(team))) throw new NotFoundError(`Team "${clip(team)}" not found.`);
  if (grant && inst.teams.includes(team))
    throw new ConflictError(`Team "${team}" already has access to service instance "${name}".`);
  if (!grant && !inst.teams.includes(team))
    throw new NotFoundError(`Team "${team}" does not have access to service instance "${name}".`);
  if (!grant && team === inst.teamOwner)
    throw new BadRequestError(
      `Team "${team}" owns service instance "${name}": give it another owner first (wharf service instance update -t <team>).`,
    );
  const teams = grant ? [...inst.teams, team] : inst.teams.filter((t) => t !== team);
  await withEvent(
    ctx.store,
    p,
    {
      kind: scheme,
      target: { type: "service-instance", value: `${svc.name}/${name}` },
      lock: true,
      data: { team },
    },
    { instanceId: ctx.settings.instanceId },
    () => mapped(() => ctx.store.updateServiceInstance(svc.name, name, { teams })),
  );
}
