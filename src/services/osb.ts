// Open Service Broker v2 client (reference §6.3): every call sends X-Broker-API-Version 2.13 and
// an originating identity; provision/deprovision accept async answers (202 + operation) that are
// then polled through last_operation; bind credentials become env vars.
import { ConflictError } from "../domain/errors.js";
import { BrokerError, NotReadyError, safeUrl, scrub } from "./errors.js";
import { basicAuth, brokerFetch, brokerTimeoutMs, type BrokerResponse } from "./http.js";
import type {
  AppRef,
  AsyncResult,
  CallMeta,
  InstanceRef,
  OperationState,
  PlanInfo,
  ServiceBroker,
} from "./types.js";

export const OSB_API_VERSION = "2.13";

export type OsbAuth = { username: string; password: string } | { token: string } | null;

export interface OsbBrokerConfig {
  name: string;
  url: string;
  auth: OsbAuth;
  context: Record<string, string>;
  /** Catalog cache lifetime; 0 fetches the catalog on every use. */
  cacheSeconds: number;
  timeoutMs?: number;
}

export interface CatalogPlan {
  id: string;
  name: string;
  description: string;
}

export interface CatalogService {
  id: string;
  name: string;
  description: string;
  bindable: boolean;
  plans: CatalogPlan[];
}

const catalogCache = new Map<string, { until: number; services: CatalogService[] }>();

export class OsbClient {
  readonly label: string;
  private readonly base: string;

  constructor(readonly cfg: OsbBrokerConfig) {
    this.label = `broker "${cfg.name}"`;
    this.base = cfg.url.replace(/\/+$/, "");
  }

  private secrets(): string[] {
    const a = this.cfg.auth;
    if (!a) return [];
    return "token" in a ? [a.token] : [a.password];
  }

  async call(
    method: "GET" | "PUT" | "PATCH" | "DELETE",
    path: string,
    op: string,
    opts: { query?: Record<string, string>; body?: unknown; identity?: Record<string, string> } = {},
  ): Promise<BrokerResponse & { json: unknown }> {
    const q = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : "";
    const headers: Record<string, string> = {
      "x-broker-api-version": OSB_API_VERSION,
      accept: "application/json",
    };
    const a = this.cfg.auth;
    if (a) headers.authorization = "token" in a ? `Bearer ${a.token}` : basicAuth(a.username, a.password);
    if (opts.identity)
      headers["x-broker-api-originating-identity"] =
        `tsuru ${Buffer.from(JSON.stringify(opts.identity)).toString("base64")}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const r = await brokerFetch({
      method,
      url: `${this.base}${path}${q}`,
      headers,
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      label: this.label,
      op,
      timeoutMs: this.cfg.timeoutMs ?? brokerTimeoutMs(),
    });
    let json: unknown = undefined;
    if (r.text.trim() !== "") {
      try {
        json = JSON.parse(r.text);
      } catch {
        if (r.status < 300)
          throw new BrokerError(
            `${this.label} answered ${op} with malformed JSON: a broker answers JSON objects.`,
          );
      }
    }
    return { ...r, json };
  }

  failed(op: string, r: BrokerResponse & { json: unknown }): BrokerError {
    const j = r.json as { description?: unknown; error?: unknown } | undefined;
    const said =
      typeof j?.description === "string" ? j.description : typeof j?.error === "string" ? j.error : r.text;
    return new BrokerError(
      `${this.label} failed ${op} at ${safeUrl(this.base)} (code: ${r.status}): ${scrub(said, this.secrets()) || "(empty body)"}.`,
    );
  }

  async catalog(): Promise<CatalogService[]> {
    const key = `${this.cfg.name}\u0000${this.base}`;
    const hit = catalogCache.get(key);
    if (hit && hit.until > Date.now()) return hit.services;
    const r = await this.call("GET", "/v2/catalog", "catalog");
    if (r.status !== 200) throw this.failed("catalog", r);
    const services = parseCatalog(r.json, this.label);
    if (this.cfg.cacheSeconds > 0)
      catalogCache.set(key, { until: Date.now() + this.cfg.cacheSeconds * 1000, services });
    return services;
  }

  /** Forget the cached catalog (broker updated or removed). */
  forget(): void {
    catalogCache.delete(`${this.cfg.name}\u0000${this.base}`);
  }
}

function parseCatalog(j: unknown, label: string): CatalogService[] {
  const services = (j as { services?: unknown })?.services;
  if (!Array.isArray(services))
    throw new BrokerError(
      `${label} answered catalog without a "services" list: check that its URL is an OSB broker.`,
    );
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  return services
    .filter((s): s is Record<string, unknown> => !!s && typeof s === "object")
    .map((s) => ({
      id: str(s.id),
      name: str(s.name),
      description: str(s.description),
      bindable: s.bindable !== false,
      plans: (Array.isArray(s.plans) ? s.plans : [])
        .filter((p): p is Record<string, unknown> => !!p && typeof p === "object")
        .map((p) => ({ id: str(p.id), name: str(p.name), description: str(p.description) })),
    }))
    .filter((s) => s.id && s.name);
}

/** One catalog service of a broker, as Wharf's ServiceBroker. */
export class OsbService implements ServiceBroker {
  constructor(
    private readonly client: OsbClient,
    private readonly serviceName: string,
  ) {}

  private async ids(plan: string): Promise<{ service_id: string; plan_id: string }> {
    const svc = (await this.client.catalog()).find((s) => s.name === this.serviceName);
    if (!svc)
      throw new BrokerError(
        `${this.client.label} no longer offers service "${this.serviceName}" in its catalog.`,
      );
    const p = plan ? svc.plans.find((x) => x.name === plan) : svc.plans[0];
    if (!p)
      throw new BrokerError(`${this.client.label} has no plan "${plan}" for service "${this.serviceName}".`);
    return { service_id: svc.id, plan_id: p.id };
  }

  private context(i: InstanceRef, meta: CallMeta): Record<string, string> {
    return {
      ...this.client.cfg.context,
      platform: "tsuru",
      request_id: meta.eventId,
      event_id: meta.eventId,
      organization_guid: i.teamOwner,
      space_guid: i.teamOwner,
    };
  }

  async plans(): Promise<PlanInfo[]> {
    const svc = (await this.client.catalog()).find((s) => s.name === this.serviceName);
    return (svc?.plans ?? []).map((p) => ({ name: p.name, description: p.description }));
  }

  async create(i: InstanceRef, meta: CallMeta): Promise<AsyncResult> {
    const ids = await this.ids(i.plan);
    const r = await this.client.call("PUT", `/v2/service_instances/${i.uuid}`, "provision", {
      query: { accepts_incomplete: "true" },
      identity: { user: meta.user },
      body: {
        ...ids,
        organization_guid: i.teamOwner,
        space_guid: i.teamOwner,
        parameters: i.parameters,
        context: this.context(i, meta),
      },
    });
    if (r.status === 200 || r.status === 201) return { async: false, operation: "" };
    if (r.status === 202) return { async: true, operation: operationOf(r.json) };
    if (r.status === 409) throw new ConflictError(`instance already exists in ${this.client.label}.`);
    throw this.client.failed("provision", r);
  }

  async update(i: InstanceRef, previousPlan: string, meta: CallMeta): Promise<void> {
    const ids = await this.ids(i.plan);
    const prev = await this.ids(previousPlan);
    const r = await this.client.call("PATCH", `/v2/service_instances/${i.uuid}`, "update", {
      query: { accepts_incomplete: "true" },
      identity: { user: meta.user },
      body: { ...ids, parameters: i.parameters, context: this.context(i, meta), previous_values: prev },
    });
    if (r.status === 200 || r.status === 202) return;
    throw this.client.failed("update", r);
  }

  async remove(i: InstanceRef, meta: CallMeta): Promise<AsyncResult> {
    const ids = await this.ids(i.plan);
    const r = await this.client.call("DELETE", `/v2/service_instances/${i.uuid}`, "deprovision", {
      query: { ...ids, accepts_incomplete: "true" },
      identity: { user: meta.user },
    });
    if (r.status === 200 || r.status === 410) return { async: false, operation: "" };
    if (r.status === 202) return { async: true, operation: operationOf(r.json) };
    throw this.client.failed("deprovision", r);
  }

  async lastOperation(i: InstanceRef): Promise<OperationState> {
    const ids = await this.ids(i.plan);
    const query: Record<string, string> = { ...ids };
    if (i.operation) query.operation = i.operation;
    const r = await this.client.call(
      "GET",
      `/v2/service_instances/${i.uuid}/last_operation`,
      "last_operation",
      {
        query,
        identity: { team: i.teamOwner },
      },
    );
    if (r.status === 410) return { state: "succeeded", description: "", gone: true };
    if (r.status !== 200) throw this.client.failed("last_operation", r);
    const j = r.json as { state?: unknown; description?: unknown } | undefined;
    const state = j?.state;
    if (state !== "in progress" && state !== "succeeded" && state !== "failed")
      throw new BrokerError(`${this.client.label} answered last_operation without a valid "state".`);
    return {
      state,
      description: typeof j?.description === "string" ? j.description.slice(0, 500) : "",
      gone: false,
    };
  }

  async status(i: InstanceRef): Promise<string> {
    const op = await this.lastOperation(i);
    return op.description ? `${op.state} - ${op.description}` : op.state;
  }

  /** tsuru builds OSB instance info from the instance's own parameters. */
  async info(i: InstanceRef): Promise<Record<string, string>> {
    return { ...i.parameters };
  }

  async bind(
    i: InstanceRef,
    app: AppRef,
    bindingId: string,
    meta: CallMeta,
  ): Promise<Record<string, string>> {
    const ids = await this.ids(i.plan);
    const r = await this.client.call(
      "PUT",
      `/v2/service_instances/${i.uuid}/service_bindings/${bindingId}`,
      "bind",
      {
        identity: { user: meta.user },
        body: {
          ...ids,
          app_guid: app.name,
          bind_resource: { app_guid: app.name },
          parameters: {},
          context: this.context(i, meta),
        },
      },
    );
    if (r.status === 412 || r.status === 422) throw new NotReadyError();
    if (r.status === 409) throw new ConflictError(`the binding already exists in ${this.client.label}.`);
    if (r.status !== 200 && r.status !== 201) throw this.client.failed("bind", r);
    return credentialsEnv(r.json, this.client.label);
  }

  async unbind(i: InstanceRef, _app: AppRef, bindingId: string, meta: CallMeta): Promise<void> {
    const ids = await this.ids(i.plan);
    const r = await this.client.call(
      "DELETE",
      `/v2/service_instances/${i.uuid}/service_bindings/${bindingId}`,
      "unbind",
      { query: ids, identity: { user: meta.user } },
    );
    if (r.status === 200 || r.status === 410) return;
    throw this.client.failed("unbind", r);
  }
}

function operationOf(j: unknown): string {
  const op = (j as { operation?: unknown } | undefined)?.operation;
  return typeof op === "string" ? op.slice(0, 1000) : "";
}

/** String credentials as they are, integers as decimal text (tsuru); other values are skipped. */
function credentialsEnv(j: unknown, label: string): Record<string, string> {
  const creds = (j as { credentials?: unknown } | undefined)?.credentials ?? {};
  if (!creds || typeof creds !== "object" || Array.isArray(creds))
    throw new BrokerError(`${label} answered bind with malformed credentials: expected a JSON object.`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(creds as Record<string, unknown>)) {
    if (typeof v === "string") out[k] = v;
    else if (typeof v === "number" && Number.isInteger(v)) out[k] = String(v);
  }
  return out;
}
