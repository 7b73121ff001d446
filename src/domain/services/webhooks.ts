// tsuru's event-webhook-create/list/update/delete: a team's HTTP calls on matching events (of the
// team's own apps, instances and team, unless an admin set the hook up). Each hook gets an HMAC
// signing secret (sealed in the store, shown once when created or rotated) so
// its target can check that a call came from this Wharf; deliveries are src/webhooks'.
import type { WebhookRecord } from "../../store/types.js";
import { BadRequestError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import { contextsFor, teamContext } from "../permissions.js";
import { newToken } from "../secrets.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import { authorize, can, isGlobal, type Principal } from "./principal.js";
import { sealSecret } from "./sealing.js";
import { mapped } from "./store-errors.js";

/** A hook as a user gives it: the record without what Wharf keeps of its own. */
export type WebhookInput = Omit<WebhookRecord, "secretSealed" | "allEvents" | "createdAt" | "updatedAt">;

/** tsuru's webhook JSON (go-tsuruclient Webhook). */
export interface WebhookView {
  name: string;
  description: string;
  team_owner: string;
  event_filter: {
    target_types: string[];
    target_values: string[];
    kind_types: string[];
    kind_names: string[];
    error_only: boolean;
    success_only: boolean;
  };
  url: string;
  proxy_url: string;
  headers: Record<string, string[]>;
  method: string;
  body: string;
  insecure: boolean;
}

export function webhookView(w: WebhookRecord): WebhookView {
  const f = w.eventFilter;
  return {
    name: w.name,
    description: w.description,
    team_owner: w.teamOwner,
    event_filter: {
      target_types: f.targetTypes,
      target_values: f.targetValues,
      kind_types: f.kindTypes,
      kind_names: f.kindNames,
      error_only: f.errorOnly,
      success_only: f.successOnly,
    },
    url: w.url,
    proxy_url: w.proxyUrl,
    headers: w.headers,
    method: w.method,
    body: w.body,
    insecure: w.insecure,
  };
}

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/** Headers Wharf sets itself on every call: a hook can't forge its signature or framing. */
const RESERVED_HEADERS = /^(x-wharf-|content-length$|transfer-encoding$|host$|connection$)/i;

function httpUrl(raw: string, field: string): void {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new BadRequestError(`webhook ${field} is not valid: give an http:// or https:// URL.`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new BadRequestError(`webhook ${field} is not valid: give an http:// or https:// URL.`);
  if (raw.length > 2048)
    throw new BadRequestError(`webhook ${field} is too long: keep it under 2048 characters.`);
}

function check(w: WebhookInput): void {
  if (!w.url) throw new BadRequestError("webhook url must not be empty: give the address to call.");
  httpUrl(w.url, "url");
  if (w.proxyUrl) httpUrl(w.proxyUrl, "proxy_url");
  if (w.method && !METHODS.includes(w.method.toUpperCase()))
    throw new BadRequestError(
      `Invalid webhook method "${clip(w.method)}": use one of ${METHODS.join(", ")}.`,
    );
  if (w.description.length > 1000)
    throw new BadRequestError("The webhook description is too long (1000 characters at most).");
  if (w.body.length > 64 * 1024) throw new BadRequestError("The webhook body is too long (64 KiB at most).");
  const names = Object.keys(w.headers);
  if (names.length > 50) throw new BadRequestError("A webhook takes at most 50 headers.");
  for (const h of names) {
    if (!HEADER_NAME.test(h))
      throw new BadRequestError(`Invalid header name "${clip(h)}": use letters, digits and "-".`);
    if (RESERVED_HEADERS.test(h))
      throw new BadRequestError(`Header "${clip(h)}" is set by Wharf on every call: leave it out.`);
    for (const v of w.headers[h]!)
      if (v.length > 4096 || /[\r\n\0]/.test(v))
        throw new BadRequestError(
          `Invalid value for header "${clip(h)}": one line of at most 4096 characters.`,
        );
  }
  const f = w.eventFilter;
  for (const [k, list] of Object.entries({
    target_types: f.targetTypes,
    target_values: f.targetValues,
    kind_types: f.kindTypes,
    kind_names: f.kindNames,
  }))
    if (list.length > 100 || list.some((v) => v.length > 254 || v === ""))
      throw new BadRequestError(
        `Invalid event_filter.${k}: at most 100 non-empty values of up to 254 characters.`,
      );
  if (f.errorOnly && f.successOnly)
    throw new BadRequestError(
      "error_only and success_only exclude each other: the hook would never be called.",
    );
}

/** The team a new hook belongs to: the given one, or the caller's only team allowed to create hooks. */
function ownerTeam(p: Principal, requested: string): string {
  if (requested) {
    authorize(p, "webhook.create", teamContext(requested));
    return requested;
  }
  const teams = contextsFor(p.permissions, "webhook.create")
    .filter((c) => c.type === "team")
    .map((c) => c.value);
  const unique = [...new Set(teams)];
  if (unique.length === 1) return unique[0]!;
  throw new BadRequestError(
    "You must give the team that owns the webhook (-t TEAM): it can't be told from your permissions.",
  );
}

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

/** Whether hooks this caller sets up hear every event (they may read them all, as an admin). */
function readsAllEvents(p: Principal): boolean {
  return isGlobal(p, "app.read.events") && isGlobal(p, "team.read.events");
}

async function visibleHook(ctx: Ctx, p: Principal, name: string, scheme: string): Promise<WebhookRecord> {
  const w = await ctx.store.findWebhook(name);
  if (!w || !can(p, "webhook.read", teamContext(w.teamOwner)))
    throw new NotFoundError(`Webhook "${clip(name)}" not found: run tsuru event-webhook-list.`);
  authorize(p, scheme, teamContext(w.teamOwner));
  return w;
}

/** Creates the hook; returns its signing secret, which is shown only now. */
export async function createWebhook(ctx: Ctx, p: Principal, w: WebhookInput): Promise<string> {
  if (!w.name) throw new BadRequestError("webhook name must not be empty.");
  if (!NAME.test(w.name))
    throw new BadRequestError(
      "Invalid webhook name, webhook name should have at most 40 characters, containing only lower case letters, numbers or dashes, starting with a letter.",
    );
  check(w);
  const team = ownerTeam(p, w.teamOwner);
  if (!(await ctx.store.findTeam(team))) throw new NotFoundError(`Team "${clip(team)}" not found.`);
  const secret = `whsec_${newToken()}`;
  await withEvent(
    ctx.store,
    p,
    { kind: "webhook.create", target: { type: "webhook", value: w.name }, data: { teamOwner: team } },
    ev(ctx),
    () =>
      mapped(() =>
        ctx.store.createWebhook({
          ...w,
          teamOwner: team,
          method: (w.method || "POST").toUpperCase(),
          secretSealed: sealSecret(ctx, secret),
          allEvents: readsAllEvents(p),
        }),
      ),
  );
  return secret;
}

export async function listWebhooks(ctx: Ctx, p: Principal): Promise<WebhookView[]> {
  const teams = isGlobal(p, "webhook.read")
    ? undefined
    : contextsFor(p.permissions, "webhook.read")
        .filter((c) => c.type === "team")
        .map((c) => c.value);
  return (await ctx.store.listWebhooks(teams ? { teams } : {})).map(webhookView);
}

export async function getWebhook(ctx: Ctx, p: Principal, name: string): Promise<WebhookView> {
  return webhookView(await visibleHook(ctx, p, name, "webhook.read"));
}

/** tsuru's update sends the whole hook: every field is replaced (an empty team keeps the team). */
export async function updateWebhook(ctx: Ctx, p: Principal, name: string, w: WebhookInput): Promise<void> {
  const cur = await visibleHook(ctx, p, name, "webhook.update");
  check(w);
  const team = w.teamOwner || cur.teamOwner;
  if (team !== cur.teamOwner) {
    authorize(p, "webhook.update", teamContext(team));
    if (!(await ctx.store.findTeam(team))) throw new NotFoundError(`Team "${clip(team)}" not found.`);
  }
  await withEvent(
    ctx.store,
    p,
    { kind: "webhook.update", target: { type: "webhook", value: name }, data: { teamOwner: team } },
    ev(ctx),
    () =>
      mapped(() =>
        ctx.store.updateWebhook(name, {
          teamOwner: team,
          description: w.description,
          eventFilter: w.eventFilter,
          url: w.url,
          proxyUrl: w.proxyUrl,
          headers: w.headers,
          method: (w.method || "POST").toUpperCase(),
          body: w.body,
          insecure: w.insecure,
          // What the hook hears follows whoever set it up last.
          allEvents: readsAllEvents(p),
        }),
      ),
  );
}

/** Wharf: a new signing secret for the hook (the old one stops verifying at once). */
export async function rotateWebhookSecret(ctx: Ctx, p: Principal, name: string): Promise<string> {
  await visibleHook(ctx, p, name, "webhook.update");
  const secret = `whsec_${newToken()}`;
  await withEvent(
    ctx.store,
    p,
    { kind: "webhook.update", target: { type: "webhook", value: name }, data: { secret: "rotated" } },
    ev(ctx),
    () => mapped(() => ctx.store.updateWebhook(name, { secretSealed: sealSecret(ctx, secret) })),
  );
  return secret;
}

export async function deleteWebhook(ctx: Ctx, p: Principal, name: string): Promise<void> {
  await visibleHook(ctx, p, name, "webhook.delete");
  await withEvent(
    ctx.store,
    p,
    { kind: "webhook.delete", target: { type: "webhook", value: name } },
    ev(ctx),
    () => mapped(() => ctx.store.deleteWebhook(name)),
  );
}
