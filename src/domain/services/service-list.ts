// Reading services: the service list with the instances the caller may see (tsuru's
// GET /services/instances, also filtered by bound app) and service-info's instance table.
import type { ServiceBindingRecord, ServiceInstanceRecord } from "../../store/types.js";
import type { Ctx } from "./context.js";
import { can, type Principal } from "./principal.js";
import { visibleApp } from "./app-read.js";
import {
  canSeeService,
  findResolved,
  instanceContexts,
  instanceRef,
  osbClient,
  serviceContexts,
  visibleService,
  type ResolvedService,
} from "./service-resolve.js";

export interface InstanceView {
  name: string;
  id: number;
  service_name: string;
  plan_name: string;
  apps: string[];
  bound_units: string[];
  teams: string[];
  team_owner: string;
  description: string;
  tags: string[];
  parameters: Record<string, string>;
}

export interface ServiceListEntry {
  service: string;
  instances: string[];
  plans: string[];
  service_instances: InstanceView[];
}

function view(i: ServiceInstanceRecord, bindings: ServiceBindingRecord[]): InstanceView {
  return {
    name: i.name,
    id: 0,
    service_name: i.service,
    plan_name: i.plan,
    apps: bindings.filter((b) => b.service === i.service && b.instance === i.name).map((b) => b.app),
    bound_units: [],
    teams: i.teams,
    team_owner: i.teamOwner,
    description: i.description,
    tags: i.tags,
    parameters: i.parameters,
  };
}

/** Every service name: registered ones, then each reachable broker's catalog (`<broker>::<svc>`). */
async function serviceNames(ctx: Ctx): Promise<string[]> {
  const names = [...(ctx.builtin?.names() ?? []), ...(await ctx.store.listServices()).map((s) => s.name)];
  for (const b of await ctx.store.listServiceBrokers()) {
    // A broker that is down must not break the whole list: its services are left out.
    const cat = await osbClient(ctx, b)
      .catalog()
      .catch(() => []);
    for (const s of cat) names.push(`${b.name}::${s.name}`);
  }
  return names;
}

/** Every service that resolves, with its name (one that can't be reached is left out). */
async function resolvedServices(ctx: Ctx): Promise<Array<[string, ResolvedService]>> {
  const out: Array<[string, ResolvedService]> = [];
  for (const name of await serviceNames(ctx)) {
    const svc = await findResolved(ctx, name).catch(() => null);
    if (svc) out.push([name, svc]);
  }
  return out;
}

function entry(
  service: string,
  mine: ServiceInstanceRecord[],
  bindings: ServiceBindingRecord[],
): ServiceListEntry {
  return {
    service,
    instances: mine.map((i) => i.name),
    plans: mine.map((i) => i.plan),
    service_instances: mine.map((i) => view(i, bindings)),
  };
}

export async function listServices(ctx: Ctx, p: Principal, app: string): Promise<ServiceListEntry[]> {
  // An app the caller can't see has no instances for them (204, as before), and its existence
  // isn't revealed.
  if (
    app &&
    !(await visibleApp(ctx, p, app, "app.read").then(
      () => true,
      () => false,
    ))
  )
    return [];
  const [instances, bindings] = await Promise.all([
    ctx.store.listServiceInstances(),
    ctx.store.listServiceBindings(app ? { app } : {}),
  ]);
  const out: ServiceListEntry[] = [];
  for (const [name, svc] of await resolvedServices(ctx)) {
    if (!canSeeService(p, svc) && !app) continue;
    const mine = instances
      .filter((i) => i.service === name && can(p, "service-instance.read", instanceContexts(i)))
      .filter((i) => !app || bindings.some((b) => b.service === name && b.instance === i.name));
    if (app && mine.length === 0) continue;
    out.push(entry(name, mine, bindings));
  }
  return out;
}

/**
 * tsuru's GET /services (tag-list reads it): the services you administer (service.read on the
 * service or its owner team) with every instance of each, in the service-list shape.
 */
export async function listOwnedServices(ctx: Ctx, p: Principal): Promise<ServiceListEntry[]> {
  const [instances, bindings] = await Promise.all([
    ctx.store.listServiceInstances(),
    ctx.store.listServiceBindings(),
  ]);
  return (await resolvedServices(ctx))
    .filter(([, svc]) => can(p, "service.read", serviceContexts(svc)))
    .map(([name]) =>
      entry(
        name,
        instances.filter((i) => i.service === name),
        bindings,
      ),
    );
}

export interface ServiceInstanceInfo {
  Id: number;
  Name: string;
  Teams: string[];
  PlanName: string;
  Apps: string[];
  ServiceName: string;
  Info: Record<string, string>;
  TeamOwner: string;
}

export async function serviceInfo(ctx: Ctx, p: Principal, name: string): Promise<ServiceInstanceInfo[]> {
  const svc = await visibleService(ctx, p, name);
  const [instances, bindings] = await Promise.all([
    ctx.store.listServiceInstances({ service: svc.name }),
    ctx.store.listServiceBindings({ service: svc.name }),
  ]);
  const mine = instances.filter((i) => can(p, "service-instance.read", instanceContexts(i)));
  return Promise.all(
    mine.map(async (i) => ({
      Id: 0,
      Name: i.name,
      Teams: i.teams,
      PlanName: i.plan,
      Apps: bindings.filter((b) => b.instance === i.name).map((b) => b.app),
      ServiceName: svc.name,
      // Info is decoration: a provider that is down leaves it empty, as in tsuru.
      Info: await svc.client.info(instanceRef(i)).catch(() => ({})),
      TeamOwner: i.teamOwner,
    })),
  );
}
