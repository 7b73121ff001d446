// Client side of tsuru's service API contract (reference §6.1–6.2): form bodies (also on
// DELETE), HTTP Basic with the registered username/password, status codes read as tsuru does.
import { BrokerError, NotReadyError, safeUrl, scrub } from "./errors.js";
import { basicAuth, brokerFetch, brokerTimeoutMs, form, type BrokerResponse } from "./http.js";
import type { AppRef, CallMeta, InstanceRef, PlanInfo, ServiceBroker } from "./types.js";
import { NotFoundError, ConflictError } from "../domain/errors.js";

export interface TsuruServiceConfig {
  name: string;
  endpoint: string;
  username: string;
  password: string;
  timeoutMs?: number;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";

export class TsuruBroker implements ServiceBroker {
  private readonly base: string;
  private readonly label: string;

  constructor(private readonly cfg: TsuruServiceConfig) {
    this.base = cfg.endpoint.replace(/\/+$/, "");
    this.label = `service "${cfg.name}"`;
  }

  private async call(method: Method, path: string, op: string, fields: Array<[string, string]> = []) {
    const body = form(fields);
    const url = `${this.base}/${path}${method === "GET" && body ? `?${body}` : ""}`;
    return brokerFetch({
      method,
      url,
      headers: {
        authorization: basicAuth(this.cfg.username || this.cfg.name, this.cfg.password),
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      ...(method !== "GET" ? { body } : {}),
      label: this.label,
      op,
      timeoutMs: this.cfg.timeoutMs ?? brokerTimeoutMs(),
    });
  }

  /** "invalid response: <body> (code: N)" as tsuru says it, scrubbed of the password. */
  private failed(op: string, r: BrokerResponse): BrokerError {
    const body = scrub(r.text, [this.cfg.password]);
    return new BrokerError(
      `${this.label} failed ${op} at ${safeUrl(this.base)}: invalid response: ${body || "(empty body)"} (code: ${r.status}).`,
    );
  }

  private static res(i: InstanceRef): string {
    return `resources/${encodeURIComponent(i.name)}`;
  }

  async plans(): Promise<PlanInfo[]> {
    const r = await this.call("GET", "resources/plans", "plan list");
    if (r.status !== 200) return [];
    const list = parseJson(r.text);
    if (!Array.isArray(list)) return [];
    return list
      .filter((p): p is Record<string, unknown> => !!p && typeof p === "object")
      .map((p) => ({ name: ci(p, "name"), description: ci(p, "description") }))
      .filter((p) => p.name !== "");
  }

  async create(i: InstanceRef, meta: CallMeta) {
    const fields: Array<[string, string]> = [
      ["name", i.name],
      ["team", i.teamOwner],
      ["user", meta.user],
      ["eventid", meta.eventId],
      ...i.tags.map((t): [string, string] => ["tags", t]),
      ...params(i.parameters),
    ];
    if (i.plan) fields.push(["plan", i.plan]);
    if (i.description) fields.push(["description", i.description]);
    const r = await this.call("POST", "resources", "instance create", fields);
    if (r.status === 409)
      throw new ConflictError(`instance already exists in the service API of ${this.label}.`);
    if (r.status >= 300) throw this.failed("instance create", r);
    return { async: false, operation: "" };
  }

  async update(i: InstanceRef, _previousPlan: string, meta: CallMeta) {
    const r = await this.call("PUT", TsuruBroker.res(i), "instance update", [
      ["description", i.description],
      ["team", i.teamOwner],
      ...i.tags.map((t): [string, string] => ["tags", t]),
      ["plan", i.plan],
      ["user", meta.user],
      ["eventid", meta.eventId],
      ...params(i.parameters),
    ]);
    // tsuru treats 404 as success: services written before update existed don't implement it.
    if (r.status > 299 && r.status !== 404) throw this.failed("instance update", r);
  }

  async remove(i: InstanceRef, meta: CallMeta) {
    const r = await this.call("DELETE", TsuruBroker.res(i), "instance remove", [
      ["user", meta.user],
      ["eventid", meta.eventId],
    ]);
    if (r.status === 404)
      throw new NotFoundError(`instance does not exist in the service API of ${this.label}.`);
    if (r.status > 299) throw this.failed("instance remove", r);
    return { async: false, operation: "" };
  }

  lastOperation(): Promise<never> {
    return Promise.reject(new BrokerError(`${this.label} has no asynchronous operations.`));
  }

  async status(i: InstanceRef): Promise<string> {
    const r = await this.call("GET", `${TsuruBroker.res(i)}/status`, "instance status");
    switch (r.status) {
      case 200:
        return scrub(r.text, [this.cfg.password], 500);
      case 202:
        return "pending";
      case 204:
        return "up";
      case 404:
        return "not implemented for this service";
      case 500:
        return "down";
      default:
        throw this.failed("instance status", r);
    }
  }

  async info(i: InstanceRef): Promise<Record<string, string>> {
    const r = await this.call("GET", TsuruBroker.res(i), "instance info");
    if (r.status !== 200) return {};
    const list = parseJson(r.text);
    const out: Record<string, string> = {};
    if (!Array.isArray(list)) return out;
    for (const e of list)
      if (e && typeof e === "object") {
        const label = ci(e as Record<string, unknown>, "label");
        if (label) out[label] = ci(e as Record<string, unknown>, "value");
      }
    return out;
  }

  async bind(i: InstanceRef, app: AppRef, _bindingId: string, meta: CallMeta) {
    const fields: Array<[string, string]> = [
      ["app-name", app.name],
      ...app.hosts.map((h): [string, string] => ["app-hosts", h]),
      ["app-host", app.hosts[0] ?? ""],
      ["user", meta.user],
      ["eventid", meta.eventId],
    ];
    let r = await this.call("POST", `${TsuruBroker.res(i)}/bind-app`, "bind-app", fields);
    // Services older than bind-app only know /bind (tsuru retries once the same way).
    if (r.status === 404) r = await this.call("POST", `${TsuruBroker.res(i)}/bind`, "bind", fields);
    if (r.status === 412) throw new NotReadyError();
    if (r.status === 404)
      throw new NotFoundError(`instance "${i.name}" does not exist in the service API of ${this.label}.`);
    if (r.status >= 300) throw this.failed("bind-app", r);
    return envFromBody(r.text, this.label);
  }

  async unbind(i: InstanceRef, app: AppRef, _bindingId: string, meta: CallMeta) {
    const r = await this.call("DELETE", `${TsuruBroker.res(i)}/bind-app`, "unbind-app", [
      ...app.hosts.map((h): [string, string] => ["app-hosts", h]),
      ["app-host", app.hosts[0] ?? ""],
      ["app-name", app.name],
      ["user", meta.user],
      ["eventid", meta.eventId],
    ]);
    if (r.status === 404)
      throw new NotFoundError(
        `instance "${i.name}" or its binding does not exist in the service API of ${this.label}.`,
      );
    if (r.status > 299) throw this.failed("unbind-app", r);
  }
}

/** `parameters.k=v` pairs, as tsuru forwards --plan-param values. */
function params(p: Record<string, string>): Array<[string, string]> {
  return Object.entries(p).map(([k, v]) => [`parameters.${k}`, v]);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Case-insensitive string field (tsuru decodes plan and info keys that way). */
function ci(o: Record<string, unknown>, key: string): string {
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === key && typeof v === "string") return v;
  return "";
}

/** A bind answer must be a JSON object of string values; anything else is refused whole. */
function envFromBody(text: string, label: string): Record<string, string> {
  const body = text.trim() === "" ? {} : parseJson(text);
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new BrokerError(
      `${label} answered bind-app with malformed JSON: the answer must be a JSON object of string values (variable name → value).`,
    );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (typeof v !== "string")
      throw new BrokerError(
        `${label} answered bind-app with a non-string value for "${k.slice(0, 64)}": every variable value must be a string.`,
      );
    out[k] = v;
  }
  return out;
}
