// Services registered from a manifest (tsuru's service-create/update/destroy), their doc and
// the teams allowed to use them. The password is sealed before it reaches the store, and never
// appears in answers, events or logs.
import type { ServiceRecord } from "../../store/types.js";
import { BadRequestError, ConflictError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import { authorize, type Principal } from "./principal.js";
import {
  adminService,
  findResolved,
  validateEndpoint,
  validateServiceName,
  visibleService,
} from "./service-resolve.js";
import { sealSecret } from "./sealing.js";
import { mapped } from "./store-errors.js";

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

export interface ServiceManifest {
  id: string;
  username: string;
  password: string;
  endpoint: string;
  team: string;
}

const MAX_DOC = 64 * 1024;

function checkManifest(m: ServiceManifest): string {
  if (!m.id) throw new BadRequestError('The manifest has no "id": give the service a name with id: <name>.');
  validateServiceName(m.id);
  if (!m.endpoint)
    throw new BadRequestError('The manifest has no endpoint: add endpoint: {production: "http://..."}.');
  if (!m.password) throw new BadRequestError('The manifest has no "password": the service API needs one.');
  if (m.password.length > 1024 || m.username.length > 256)
    throw new BadRequestError("The username or password is too long: at most 256 and 1024 characters.");
  return validateEndpoint(m.endpoint, "endpoint");
}

/** Safe description of a service request for events: never the password. */
const safe = (m: ServiceManifest, endpoint: string) => ({
  id: m.id,
  endpoint,
  username: m.username,
  team: m.team,
});

export async function createService(ctx: Ctx, p: Principal, m: ServiceManifest): Promise<void> {
  const endpoint = checkManifest(m);
  if (!m.team) throw new BadRequestError('The manifest has no "team": say which team owns the service.');
  authorize(p, "service.create", [{ type: "team", value: m.team }]);
  if (ctx.builtin?.broker(m.id))
    throw new ConflictError(`Service "${m.id}" already exists: it is one of Wharf's built-in services.`);
  if (!(await ctx.store.findTeam(m.team))) throw new NotFoundError(`Team "${clip(m.team)}" not found.`);
  await withEvent(
    ctx.store,
    p,
    { kind: "service.create", target: { type: "service", value: m.id }, data: safe(m, endpoint) },
    ev(ctx),
    async () => {
      try {
        await mapped(() =>
          ctx.store.createService({
            name: m.id,
            endpoint,
            username: m.username || m.id,
            passwordSealed: sealSecret(ctx, m.password),
            teamOwner: m.team,
            teams: [m.team],
            doc: "",
          }),
        );
      } catch (e) {
        if (e instanceof ConflictError) throw new ConflictError(`Service "${m.id}" already exists.`);
        throw e;
      }
    },
  );
}

export async function updateService(ctx: Ctx, p: Principal, name: string, m: ServiceManifest): Promise<void> {
  const endpoint = checkManifest({ ...m, id: m.id || name });
  if (m.id && m.id !== name)
    throw new BadRequestError(`The manifest id "${clip(m.id)}" does not match the service "${clip(name)}".`);
  const s = await adminService(ctx, p, name, "service.update");
  const team = m.team || s.teamOwner;
  if (team !== s.teamOwner && !(await ctx.store.findTeam(team)))
    throw new NotFoundError(`Team "${clip(team)}" not found.`);
  await withEvent(
    ctx.store,
    p,
    { kind: "service.update", target: { type: "service", value: name }, data: safe(m, endpoint) },
    ev(ctx),
    () =>
      mapped(() =>
        ctx.store.updateService(name, {
          endpoint,
          username: m.username || name,
          passwordSealed: sealSecret(ctx, m.password),
          teamOwner: team,
          teams: s.teams.includes(team) ? s.teams : [...s.teams, team],
        }),
      ),
  );
}

export async function removeService(ctx: Ctx, p: Principal, name: string): Promise<void> {
  await adminService(ctx, p, name, "service.delete");
  if ((await ctx.store.listServiceInstances({ service: name })).length > 0)
    throw new BadRequestError(
      "This service cannot be removed because it has instances. Please remove these instances before removing the service.",
    );
  await withEvent(
    ctx.store,
    p,
    { kind: "service.delete", target: { type: "service", value: name } },
    ev(ctx),
    () => mapped(() => ctx.store.deleteService(name)),
  );
}

export async function getDoc(ctx: Ctx, p: Principal, name: string): Promise<string> {
  const s = await visibleService(ctx, p, name);
  if (s.kind === "builtin") return ctx.builtin?.doc(name) ?? "";
  return s.kind === "tsuru" ? s.record.doc : "";
}

export async function setDoc(ctx: Ctx, p: Principal, name: string, doc: string): Promise<void> {
  if (doc.length > MAX_DOC) throw new BadRequestError("The documentation is too long: at most 64 KiB.");
  await adminService(ctx, p, name, "service.update.doc");
  await withEvent(
    ctx.store,
    p,
    { kind: "service.update.doc", target: { type: "service", value: name } },
    ev(ctx),
    () => mapped(() => ctx.store.updateService(name, { doc })),
  );
}

export async function changeServiceTeam(
  ctx: Ctx,
  p: Principal,
  name: string,
  team: string,
  grant: boolean,
): Promise<void> {
  const scheme = grant ? "service.update.grant-access" : "service.update.revoke-access";
  const s: ServiceRecord = await adminService(ctx, p, name, scheme);
  if (!(await ctx.store.findTeam(team))) throw new NotFoundError(`Team "${clip(team)}" not found.`);
  if (grant && s.teams.includes(team))
    throw new ConflictError("This team already has access to this service.");
  if (!grant && !s.teams.includes(team))
    throw new NotFoundError("This team does not have access to this service.");
  if (!grant && s.teams.length === 1)
    throw new BadRequestError(
      "You can not revoke the access from this team: it is the only team with access.",
    );
  const teams = grant ? [...s.teams, team] : s.teams.filter((t) => t !== team);
  await withEvent(
    ctx.store,
    p,
    { kind: scheme, target: { type: "service", value: name }, data: { team } },
    ev(ctx),
    () => mapped(() => ctx.store.updateService(name, { teams })),
  );
}

export interface PlanView {
  Name: string;
  Description: string;
  Schemas: null;
}

export async function listPlans(ctx: Ctx, p: Principal, name: string): Promise<PlanView[]> {
  const s = await visibleService(ctx, p, name);
  const plans = await s.client.plans();
  return plans.map((x) => ({ Name: x.name, Description: x.description, Schemas: null }));
}

export { findResolved };
