// Shared by the service domain files: finding a service by name (a registered tsuru service
// API, or `<broker>::<service>` from an OSB broker's catalog), who may see and use it, the
// client that speaks to it, and sealing of broker secrets with the server's key.
import type { ServiceBrokerRecord, ServiceInstanceRecord, ServiceRecord } from "../../store/types.js";
import { OsbClient, OsbService, type OsbAuth } from "../../services/osb.js";
import { TsuruBroker } from "../../services/tsuru-broker.js";
import type { InstanceRef, ServiceBroker } from "../../services/types.js";
import { BadRequestError, ForbiddenError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import type { PermissionContext } from "../permissions.js";
import { unsealSecret } from "./sealing.js";
import type { Ctx } from "./context.js";
import { can, isGlobal, memberTeams, type Principal } from "./principal.js";

const SERVICE_NAME = /^[a-z][-a-z0-9_]{1,62}$/;
const INSTANCE_NAME = /^[A-Za-z][-a-zA-Z0-9_]+$/;

export function validateServiceName(name: string, what = "service"): void {
  if (!SERVICE_NAME.test(name))
    throw new BadRequestError(
      `Invalid ${what} name "${clip(name)}": it must start with a lowercase letter and contain only lowercase letters, numbers, "-" and "_" (2 to 63 characters).`,
    );
}

export function validateInstanceName(name: string): void {
  if (!INSTANCE_NAME.test(name) || name.length > 63)
    throw new BadRequestError(
      `Invalid service instance name "${clip(name)}": it must start with a letter and contain only letters, numbers, "-" and "_" (2 to 63 characters).`,
    );
}

/** An http(s) URL; user-info in it is refused so credentials never sit in a visible field. */
export function validateEndpoint(raw: string, what: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BadRequestError(`Invalid ${what} "${clip(raw)}": give an http:// or https:// URL.`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new BadRequestError(`Invalid ${what} "${clip(raw)}": give an http:// or https:// URL.`);
  if (u.username || u.password)
    throw new BadRequestError(
      `Invalid ${what}: do not put credentials in the URL; give them as username and password instead.`,
    );
  return raw.replace(/\/+$/, "");
}

/** A service as the domain uses it: its record (tsuru) or its broker (OSB), and its client. */
export type ResolvedService =
  | { kind: "tsuru"; name: string; record: ServiceRecord; client: ServiceBroker }
  | { kind: "osb"; name: string; broker: ServiceBrokerRecord; catalogName: string; client: ServiceBroker }
  | { kind: "builtin"; name: string; client: ServiceBroker };

export function tsuruClient(ctx: Ctx, s: ServiceRecord): ServiceBroker {
  return new TsuruBroker({
    name: s.name,
    endpoint: s.endpoint,
    username: s.username,
    password: unsealSecret(ctx, s.passwordSealed),
  });
}

export function osbClient(ctx: Ctx, b: ServiceBrokerRecord): OsbClient {
  const auth = b.authSealed ? (JSON.parse(unsealSecret(ctx, b.authSealed)) as OsbAuth) : null;
  const context = (b.config.Context ?? {}) as Record<string, string>;
  const cache = Number(b.config.CacheExpirationSeconds ?? 0);
  return new OsbClient({
    name: b.name,
    url: b.url,
    auth,
    context,
    cacheSeconds: Number.isFinite(cache) ? cache : 0,
  });
}

/** Finds a service by name without access checks; NotFoundError with a hint when missing. */
export async function findResolved(ctx: Ctx, name: string): Promise<ResolvedService> {
  const sep = name.indexOf("::");
  const missing = () =>
    new NotFoundError(`Service "${clip(name)}" not found: run "wharf service list" to see the services.`);
  const builtin = ctx.builtin?.broker(name);
  if (builtin) return { kind: "builtin", name, client: builtin };
  if (sep > 0) {
    const broker = await ctx.store.findServiceBroker(name.slice(0, sep));
    if (!broker) throw missing();
    const catalogName = name.slice(sep + 2);
    return {
      kind: "osb",
      name,
      broker,
      catalogName,
      client: new OsbService(osbClient(ctx, broker), catalogName),
    };
  }
  const record = await ctx.store.findService(name);
  if (!record) throw missing();
  return { kind: "tsuru", name, record, client: tsuruClient(ctx, record) };
}

/** Contexts of a service for the "service.*" permissions: the service and its owner team. */
export function serviceContexts(s: ResolvedService): PermissionContext[] {
  if (s.kind !== "tsuru") return [{ type: "service", value: s.name }];
  return [
    { type: "service", value: s.name },
    { type: "team", value: s.record.teamOwner },
  ];
}

/**
 * Teams that may create instances of the service; null = every team (OSB services, as in
 * tsuru, and Wharf's built-in ones, whose use pool constraints on "service" can limit).
 */
export function serviceTeams(s: ResolvedService): string[] | null {
  return s.kind === "tsuru" ? s.record.teams : null;
}

/** May p see the service? Admins, its teams' members and holders of service permissions on it. */
export function canSeeService(p: Principal, s: ResolvedService): boolean {
  if (isGlobal(p, "service-instance.read") || isGlobal(p, "service")) return true;
  const teams = serviceTeams(s);
  if (teams === null) return true;
  const mine = new Set(memberTeams(p));
  return teams.some((t) => mine.has(t)) || can(p, "service.read.plans", serviceContexts(s));
}

/** The service, visible to p (404 otherwise: names of other teams' services don't leak). */
export async function visibleService(ctx: Ctx, p: Principal, name: string): Promise<ResolvedService> {
  const s = await findResolved(ctx, name);
  if (!canSeeService(p, s))
    throw new NotFoundError(
      `Service "${clip(name)}" not found: run "wharf service list" to see the services.`,
    );
  return s;
}

/** Admin actions on a service (update, remove, doc, grants): 403 without `scheme` on it. */
export async function adminService(
  ctx: Ctx,
  p: Principal,
  name: string,
  scheme: string,
): Promise<ServiceRecord> {
  const s = await findResolved(ctx, name);
  if (s.kind === "builtin")
    throw new BadRequestError(
      `Service "${clip(name)}" is built into Wharf: it cannot be changed or removed (WHARF_BUILTIN_SERVICES chooses which are offered; pool constraints on "service" limit where).`,
    );
  if (s.kind !== "tsuru")
    throw new BadRequestError(
      `Service "${clip(name)}" comes from broker "${s.broker.name}": change it at the broker, or with "wharf service broker update".`,
    );
  if (!can(p, scheme, serviceContexts(s))) throw new ForbiddenError();
  return s.record;
}

export function instanceContexts(i: ServiceInstanceRecord): PermissionContext[] {
  return [
    { type: "service-instance", value: `${i.service}/${i.name}` },
    ...i.teams.map((t) => ({ type: "team" as const, value: t })),
  ];
}

/** The instance, visible to p through `scheme` (404 for unknown, 403 without permission). */
export async function visibleInstance(
  ctx: Ctx,
  p: Principal,
  service: string,
  name: string,
  scheme: string,
): Promise<{ svc: ResolvedService; inst: ServiceInstanceRecord }> {
  const svc = await findResolved(ctx, service);
  const inst = await ctx.store.findServiceInstance(svc.name, name);
  if (!inst)
    throw new NotFoundError(
      `Service instance "${clip(name)}" not found in service "${clip(service)}": run "wharf service list" to see the instances.`,
    );
  const cx = instanceContexts(inst);
  if (!can(p, "service-instance.read", cx))
    throw new NotFoundError(`Service instance "${clip(name)}" not found.`);
  if (!can(p, scheme, cx)) throw new ForbiddenError();
  return { svc, inst };
}

export function instanceRef(i: ServiceInstanceRecord): InstanceRef {
  return {
    name: i.name,
    uuid: i.uuid,
    plan: i.plan,
    teamOwner: i.teamOwner,
    description: i.description,
    tags: i.tags,
    parameters: i.parameters,
    operation: i.operation,
  };
}
