// App settings that aren't the app record itself: env vars (values never logged),
// cnames, team access and the units quota.
import type { EnvVar } from "../../store/types.js";
import { BadRequestError, ForbiddenError, NotFoundError, ConflictError } from "../errors.js";
import { validateCname, clip } from "../names.js";
import { appContexts } from "../permissions.js";
import { filterEnv, maskEnv, validateEnvSet } from "../env.js";
import { checkNewLimit } from "../quota.js";
import type { Ctx } from "./context.js";
import { authorize, can, type Principal } from "./principal.js";
import { mapped } from "./store-errors.js";
import { withEvent } from "./events.js";
import { visibleApp } from "./apps.js";
import { refuseServiceVars } from "./service-binds.js";

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

export interface EnvView {
  name: string;
  value: string;
  alias: string;
  public: boolean;
}

export async function getEnv(ctx: Ctx, p: Principal, app: string, names: string[]): Promise<EnvView[]> {
  await visibleApp(ctx, p, app, "app.read.env");
  const vars = await ctx.store.getAppEnv(app, names.length ? names : undefined);
  return maskEnv(filterEnv(vars, names)).map((v) => ({
    name: v.name,
    value: v.value,
    alias: (v as EnvVar).alias ?? "",
    public: v.public,
  }));
}

export async function setEnv(
  ctx: Ctx,
  p: Principal,
  app: string,
  f: { envs: { name: string; value: string }[]; private: boolean; noRestart: boolean },
  out: (line: string) => void,
): Promise<void> {
  await visibleApp(ctx, p, app, "app.update.env.set");
  validateEnvSet(f.envs);
  await refuseServiceVars(
    ctx,
    app,
    f.envs.map((e) => e.name),
    "changed",
  );
  // The event keeps only names: values (possibly secrets) never reach logs or events.
  const names = f.envs.map((e) => e.name);
  await withEvent(
    ctx.store,
    p,
    {
      kind: "app.update.env.set",
      target: { type: "app", value: app },
      lock: true,
      data: { names, private: f.private },
    },
    ev(ctx),
    async (h) => {
      const msg = `---- Setting ${f.envs.length} new environment variables ----\n`;
      out(msg);
      await h.log(msg);
      await mapped(() =>
        ctx.store.setAppEnv(
          app,
          f.envs.map((e) => ({ name: e.name, value: e.value, public: !f.private, alias: "" })),
        ),
      );
      if (!f.noRestart && ctx.runtime) await ctx.runtime.restartApp(app, out);
    },
  );
}

export async function unsetEnv(
  ctx: Ctx,
  p: Principal,
  app: string,
  names: string[],
  out: (line: string) => void,
  noRestart = false,
): Promise<void> {
  await visibleApp(ctx, p, app, "app.update.env.unset");
  if (names.length === 0) throw new BadRequestError("You must provide the list of environment variables.");
  await refuseServiceVars(ctx, app, names, "unset");
  await withEvent(
    ctx.store,
    p,
    { kind: "app.update.env.unset", target: { type: "app", value: app }, lock: true, data: { names } },
    ev(ctx),
    async (h) => {
      const msg = `---- Unsetting ${names.length} environment variables ----\n`;
      out(msg);
      await h.log(msg);
      await mapped(() => ctx.store.unsetAppEnv(app, names));
      if (!noRestart && ctx.runtime) await ctx.runtime.restartApp(app, out);
    },
  );
}

export async function addCnames(ctx: Ctx, p: Principal, app: string, cnames: string[]): Promise<void> {
  await visibleApp(ctx, p, app, "app.update.cname.add");
  if (cnames.length === 0) throw new BadRequestError("You must provide the cname.");
  for (const c of cnames) validateCname(c);
  await withEvent(
    ctx.store,
    p,
    { kind: "app.update.cname.add", target: { type: "app", value: app }, lock: true, data: { cnames } },
    ev(ctx),
    async () => {
      try {
        await mapped(() => ctx.store.addAppCnames(app, cnames));
      } catch (e) {
        // tsuru answers 400 "cname already exists!" (the other app's name isn't revealed).
        if (e instanceof ConflictError) throw new BadRequestError("cname already exists!");
        throw e;
      }
    },
  );
}

export async function removeCnames(ctx: Ctx, p: Principal, app: string, cnames: string[]): Promise<void> {
  const a = await visibleApp(ctx, p, app, "app.update.cname.remove");
  if (cnames.length === 0) throw new BadRequestError("You must provide the cname.");
  for (const c of cnames)
    if (!a.cnames.includes(c)) throw new NotFoundError(`cname "${clip(c)}" is not set on app "${app}".`);
  await withEvent(
    ctx.store,
    p,
    { kind: "app.update.cname.remove", target: { type: "app", value: app }, lock: true, data: { cnames } },
    ev(ctx),
    async () => {
      await mapped(() => ctx.store.removeAppCnames(app, cnames));
    },
  );
}

export async function grantTeam(ctx: Ctx, p: Principal, app: string, team: string): Promise<void> {
  await visibleApp(ctx, p, app, "app.update.grant");
  if (!(await ctx.store.findTeam(team))) throw new NotFoundError(`Team "${clip(team)}" not found.`);
  await withEvent(
    ctx.store,
    p,
    { kind: "app.update.grant", target: { type: "app", value: app }, lock: true, data: { team } },
    ev(ctx),
    async () => {
      try {
        await mapped(() => ctx.store.grantAppTeam(app, team));
      } catch (e) {
        if (e instanceof ConflictError) throw new ConflictError("This team already has access to this app.");
        throw e;
      }
    },
  );
}

export async function revokeTeam(ctx: Ctx, p: Principal, app: string, team: string): Promise<void> {
  const a = await visibleApp(ctx, p, app, "app.update.revoke");
  if (!a.teams.includes(team)) throw new NotFoundError("This team does not have access to this app.");
  if (a.teams.length === 1)
    throw new ForbiddenError(
      "You can not revoke the access from this team, because it is the unique team with access to the app, and an app can not be orphaned",
    );
  await withEvent(
    ctx.store,
    p,
    { kind: "app.update.revoke", target: { type: "app", value: app }, lock: true, data: { team } },
    ev(ctx),
    () => mapped(() => ctx.store.revokeAppTeam(app, team)),
  );
}

export async function getAppQuota(
  ctx: Ctx,
  p: Principal,
  app: string,
): Promise<{ limit: number; inuse: number }> {
  await visibleApp(ctx, p, app, "app.read");
  const q = await mapped(() => ctx.store.getQuota("app", app));
  return { limit: q.limit, inuse: q.inUse };
}

export async function setAppQuota(ctx: Ctx, p: Principal, app: string, limit: number): Promise<void> {
  const a = await visibleApp(ctx, p, app, "app.read");
  if (!can(p, "app.admin.quota", appContexts(a))) throw new ForbiddenError();
  const q = await mapped(() => ctx.store.getQuota("app", app));
  checkNewLimit(limit, q.inUse);
  await withEvent(
    ctx.store,
    p,
    { kind: "app.admin.quota", target: { type: "app", value: app }, lock: true, data: { limit } },
    ev(ctx),
    () => mapped(() => ctx.store.setQuotaLimit("app", app, limit)),
  );
}

export { authorize };
