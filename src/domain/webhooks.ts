// Event webhooks without I/O: which hooks an event triggers (tsuru 1.8's storage FindByEvent: each
// filter list empty or holding one of the event's values, kind names matching by dotted prefix,
// error_only/success_only), which events a hook may hear at all, the request a hook makes, and its
// body template.
import type { EventRecord, EventTarget, WebhookFilter, WebhookRecord } from "../store/types.js";

/** The kind name and its dotted parents: app.update.env.set → app, app.update, app.update.env. */
export function kindAndParents(name: string): string[] {
  const parts = name.split(".");
  const out = [name];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join("."));
  return out;
}

export function matchesEvent(f: WebhookFilter, e: EventRecord): boolean {
  const any = (list: string[], values: string[]) => list.length === 0 || values.some((v) => list.includes(v));
  const targets = eventTargets(e);
  if (
    !any(
      f.targetTypes,
      targets.map((t) => t.type),
    )
  )
    return false;
  if (
    !any(
      f.targetValues,
      targets.map((t) => t.value),
    )
  )
    return false;
  if (!any(f.kindTypes, [e.kind.type])) return false;
  if (!any(f.kindNames, kindAndParents(e.kind.name))) return false;
  return e.error === "" ? !f.errorOnly : !f.successOnly;
}

/**
 * tsuru calls every matching hook whatever team owns it; Wharf's teams are tenants, so a team's hook
 * hears only events on its own apps, service instances or the team itself (`teams` holds the
 * teams those targets belong to). A hook set up by someone who reads every event hears them all.
 */
export function hookMayHear(
  hook: Pick<WebhookRecord, "teamOwner" | "allEvents">,
  teams: ReadonlySet<string>,
): boolean {
  return hook.allEvents || teams.has(hook.teamOwner);
}

/** The targets whose owning teams decide who hears an event: its main target and extra targets. */
export function eventTargets(e: Pick<EventRecord, "target" | "extraTargets">): EventTarget[] {
  return [e.target, ...e.extraTargets.map((x) => x.target)];
}

/** Methods that carry a body; tsuru sends none with the others. */
const BODY_METHODS = ["POST", "PUT", "PATCH"];

export function methodOf(w: Pick<WebhookRecord, "method">): string {
  return (w.method || "POST").toUpperCase();
}

/** Follows a Go template field path (.Kind.Name) through an object; undefined when it leads nowhere. */
function lookup(root: unknown, path: string[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/**
 * tsuru runs a hook's body as a Go text/template over the event. Wharf supports its field form,
 * {{.Target.Value}} and the like; a body using anything else is sent as written, as tsuru does
 * with a body that is not a valid template.
 */
export function renderBody(template: string, event: Record<string, unknown>): string {
  const ACTION = /\{\{\s*(\.[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}/g;
  const stripped = template.replace(ACTION, "");
  if (stripped.includes("{{")) return template;
  return template.replace(ACTION, (_m, path: string) => {
    const v = lookup(event, path.slice(1).split("."));
    if (v === undefined || v === null) return "<no value>";
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  });
}

/** The body a hook sends for an event, and whether it is the event as JSON. */
export function hookBody(
  w: Pick<WebhookRecord, "body" | "method">,
  event: Record<string, unknown>,
): {
  body: string | null;
  json: boolean;
} {
  if (w.body) return { body: renderBody(w.body, event), json: false };
  if (!BODY_METHODS.includes(methodOf(w))) return { body: null, json: false };
  return { body: JSON.stringify(event), json: true };
}
