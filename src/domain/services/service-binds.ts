// Binding apps to service instances. The provider is asked first; its variables are then stored
// as the app's private env (alias = instance name) together with the binding record and
// TSURU_SERVICES in one transaction. If anything after the provider's bind fails, the bind is
// undone at the provider, so the app's env and the provider never disagree. Values never reach
// logs or events: only names do.
import { randomUUID } from "node:crypto";
import type { App, StoreTx } from "../../store/types.js";
import type { AppRef } from "../../services/types.js";
import { BrokerError } from "../../services/errors.js";
import { BadRequestError, ConflictError, NotFoundError, PreconditionFailedError } from "../errors.js";
import { clip } from "../names.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import type { Principal } from "./principal.js";
import { findResolved, instanceRef, visibleInstance, type ResolvedService } from "./service-resolve.js";
import { visibleApp } from "./app-read.js";
import { refreshInstance } from "./service-refresh.js";

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });
const ENV_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const SERVICES_VAR = "TSURU_SERVICES";

function appRef(ctx: Ctx, app: App): AppRef {
  const hosts: string[] = [];
  for (const r of app.routers) {
    const conf = ctx.settings.routers.find((x) => x.name === r.name);
    if (conf?.domain) hosts.push(`${app.name}.${conf.domain}`);
  }
  return { name: app.name, hosts: [...hosts, ...app.cnames] };
}

/** Rewrites TSURU_SERVICES from the app's bindings: {"svc":[{"instance_name","envs":{...}}]}. */
async function writeServicesVar(t: StoreTx, app: string): Promise<void> {
  const bindings = await t.listServiceBindings({ app });
  if (bindings.length === 0) {
    await t.unsetAppEnv(app, [SERVICES_VAR]);
    return;
  }
  const env = new Map((await t.getAppEnv(app)).map((v) => [v.name, v.value]));
  const out: Record<string, Array<{ instance_name: string; envs: Record<string, string> }>> = {};
  for (const b of bindings)
    (out[b.service] ??= []).push({
      instance_name: b.instance,
      envs: Object.fromEntries(b.envNames.map((n) => [n, env.get(n) ?? ""])),
    });
  await t.setAppEnv(app, [{ name: SERVICES_VAR, value: JSON.stringify(out), public: false, alias: "" }]);
}

/** Names the provider may not set: invalid ones, and the platform's own TSURU_* variables. */
function checkNames(svc: ResolvedService, names: string[]): void {
  for (const n of names)
    if (!ENV_NAME.test(n) || n.length > 128 || n.startsWith("TSURU_"))
      throw new BrokerError(
        `service "${svc.name}" answered the bind with a variable name Wharf cannot set ("${clip(n, 40)}"): names must be letters, digits and "_", and not start with TSURU_.`,
      );
}

export async function bindApp(
  ctx: Ctx,
  p: Principal,
  service: string,
  name: string,
  appName: string,
  noRestart: boolean,
  out: (line: string) => void,
): Promise<void> {
  const { svc, inst } = await visibleInstance(ctx, p, service, name, "service-instance.update.bind");
  const app = await visibleApp(ctx, p, appName, "app.update.bind");
  const cur = await refreshInstance(ctx, svc, inst);
  if (!cur) throw new NotFoundError(`Service instance "${name}" was removed.`);
  if (cur.state === "provisioning")
    throw new PreconditionFailedError(
      `instance is not ready yet ("${name}" is still being provisioned): try again later.`,
    );
  if (cur.state !== "ready")
    throw new PreconditionFailedError(
      `instance "${name}" is ${cur.state}${cur.message ? ` (${clip(cur.message, 200)})` : ""}: remove it and create it again.`,
    );
  if ((await ctx.store.listServiceBindings({ service: svc.name, instance: name, app: app.name })).length > 0)
    throw new ConflictError("app is already bound to this service instance");
  const target = { type: "app", value: app.name };
  const extra = [{ target: { type: "service-instance", value: `${svc.name}/${name}` }, lock: true }];
  const data = { service: svc.name, instance: name, noRestart };
  await withEvent(
    ctx.store,
    p,
    { kind: "app.update.bind", target, extraTargets: extra, lock: true, data },
    ev(ctx),
    async (h) => {
      const ref = instanceRef(cur);
      const aref = appRef(ctx, app);
      const meta = { user: p.email, eventId: h.id };
      const bindingId = randomUUID();
      const env = await svc.client.bind(ref, aref, bindingId, meta);
      const names = Object.keys(env).sort();
      try {
        checkNames(svc, names);
        await ctx.store.tx(async (t) => {
          const taken = (await t.getAppEnv(app.name, names)).map((v) => v.name);
          if (taken.length > 0)
            throw new ConflictError(
              `The service would set ${taken.join(", ")}, already set on app "${app.name}": unset ${taken.length > 1 ? "them" : "it"} (or unbind the instance that set ${taken.length > 1 ? "them" : "it"}) first.`,
            );
          await t.createServiceBinding({
            service: svc.name,
            instance: name,
            app: app.name,
            bindingId,
            envNames: names,
          });
          await t.setAppEnv(
            app.name,
            names.map((n) => ({ name: n, value: env[n]!, public: false, alias: name })),
          );
          await writeServicesVar(t, app.name);
        });
      } catch (e) {
        // Undo at the provider so nothing is left half-bound; a failure here is only logged.
        await svc.client
          .unbind(ref, aref, bindingId, meta)
          .catch((u: unknown) => h.log(`could not undo the bind at the provider: ${(u as Error).message}`));
        throw e;
      }
      const msg = `---- Setting ${names.length + 1} new environment variables ----\n`;
      out(msg);
      await h.log(`${msg}${[...names, SERVICES_VAR].join(" ")}`);
      if (!noRestart && ctx.runtime) await ctx.runtime.restartApp(app.name, out);
      out(`\nInstance "${name}" is now bound to the app "${app.name}".\n`);
      out(
        `The following environment variables are available for use in your app:\n\n${[...names, SERVICES_VAR]
          .map((n) => `- ${n}\n`)
          .join(
            "",
          )}\nFor more details, please check the documentation for the service, using service-doc command.\n`,
      );
    },
  );
}

export async function unbindOne(
  ctx: Ctx,
  p: Principal,
  service: string,
  name: string,
  appName: string,
  o: { noRestart: boolean; force: boolean },
  out: (line: string) => void,
): Promise<void> {
  const { svc, inst } = await visibleInstance(ctx, p, service, name, "service-instance.update.unbind");
  const app = await visibleApp(ctx, p, appName, "app.update.unbind");
  const binding = (
    await ctx.store.listServiceBindings({ service: svc.name, instance: name, app: app.name })
  )[0];
  if (!binding) throw new NotFoundError(`App "${app.name}" is not bound to service instance "${name}".`);
  const target = { type: "app", value: app.name };
  const extra = [{ target: { type: "service-instance", value: `${svc.name}/${name}` }, lock: true }];
  const data = { service: svc.name, instance: name, noRestart: o.noRestart, force: o.force };
  await withEvent(
    ctx.store,
    p,
    { kind: "app.update.unbind", target, extraTargets: extra, lock: true, data },
    ev(ctx),
    async (h) => {
      try {
        await svc.client.unbind(instanceRef(inst), appRef(ctx, app), binding.bindingId, {
          user: p.email,
          eventId: h.id,
        });
      } catch (e) {
        // Without --force a provider failure changes nothing here.
        if (!o.force) throw e;
        const why = `Ignoring the service's error because of --force: ${(e as Error).message}\n`;
        out(why);
        await h.log(why);
      }
      await ctx.store.tx(async (t) => {
        await t.deleteServiceBinding(svc.name, name, app.name);
        await t.unsetAppEnv(app.name, binding.envNames);
        await writeServicesVar(t, app.name);
      });
      const msg = `---- Unsetting ${binding.envNames.length} environment variables ----\n`;
      out(msg);
      await h.log(`${msg}${binding.envNames.join(" ")}`);
      if (!o.noRestart && ctx.runtime) await ctx.runtime.restartApp(app.name, out);
      out(`\nInstance "${name}" is not bound to the app "${app.name}" anymore.\n`);
    },
  );
}

/**
 * env set / env unset may not touch what a bind set (tsuru refuses too): those variables go
 * with the unbind, or the binding and the provider would disagree.
 */
export async function refuseServiceVars(ctx: Ctx, app: string, names: string[], verb: string): Promise<void> {
  if (names.includes(SERVICES_VAR))
    throw new BadRequestError(
      `${SERVICES_VAR} is managed by Wharf from the app's service bindings: it cannot be ${verb}.`,
    );
  const taken = (await ctx.store.getAppEnv(app, names)).filter((v) => v.alias !== "");
  if (taken.length === 0) return;
  const by = [...new Set(taken.map((v) => v.alias))];
  throw new BadRequestError(
    `${taken.map((v) => v.name).join(", ")} ${taken.length > 1 ? "were" : "was"} set by service instance ${by.map((b) => `"${b}"`).join(", ")} and cannot be ${verb}: unbind the instance instead (wharf service instance unbind).`,
  );
}

/**
 * App removal: every binding is undone at its provider first, ignoring provider errors as
 * tsuru does, so providers drop the app's credentials; the records go with the app.
 */
export async function unbindAllForRemoval(
  ctx: Ctx,
  app: App,
  meta: { user: string; eventId: string },
  log: (line: string) => Promise<void>,
  out: (line: string) => void,
): Promise<void> {
  for (const b of await ctx.store.listServiceBindings({ app: app.name })) {
    const line = `---- Unbinding service instance "${b.instance}" (${b.service}) ----\n`;
    out(line);
    await log(line);
    try {
      const svc = await findResolved(ctx, b.service);
      const inst = await ctx.store.findServiceInstance(b.service, b.instance);
      if (inst) await svc.client.unbind(instanceRef(inst), appRef(ctx, app), b.bindingId, meta);
    } catch (e) {
      const why = `Ignoring the service's error while removing the app: ${(e as Error).message}\n`;
      out(why);
      await log(why);
    }
    await ctx.store.deleteServiceBinding(b.service, b.instance, app.name).catch(() => undefined);
  }
}
