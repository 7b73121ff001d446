// Event blocks (tsuru's freezes on kinds, owners and targets) and event webhooks.
import { ConflictError, NotFoundError } from "../errors.js";
import type { EventBlockRecord, StoreOps, WebhookFilter, WebhookRecord } from "../types.js";
import { type Db, type Row, Where, bool, fromJson, fromMs, fromMsOrNull, str, toJson } from "./db.js";

type EventPolicyOps = Pick<
  StoreOps,
  | "createEventBlock"
  | "listEventBlocks"
  | "deactivateEventBlock"
  | "createWebhook"
  | "findWebhook"
  | "listWebhooks"
  | "updateWebhook"
  | "deleteWebhook"
>;

const blockRow = (r: Row): EventBlockRecord => ({
  id: str(r.id),
  startTime: fromMs(r.start_time),
  endTime: fromMsOrNull(r.end_time),
  kindName: str(r.kind_name),
  ownerName: str(r.owner_name),
  target: { type: str(r.target_type), value: str(r.target_value) },
  reason: str(r.reason),
  active: bool(r.active),
});

const EMPTY_FILTER: WebhookFilter = {
  targetTypes: [],
  targetValues: [],
  kindTypes: [],
  kindNames: [],
  errorOnly: false,
  successOnly: false,
};

const hookRow = (r: Row): WebhookRecord => ({
  name: str(r.name),
  teamOwner: str(r.team_owner),
  description: str(r.description),
  eventFilter: { ...EMPTY_FILTER, ...fromJson<Partial<WebhookFilter>>(r.event_filter, {}) },
  url: str(r.url),
  proxyUrl: str(r.proxy_url),
  headers: fromJson<Record<string, string[]>>(r.headers, {}),
  method: str(r.method),
  body: str(r.body),
  insecure: bool(r.insecure),
  secretSealed: str(r.secret_sealed),
  allEvents: bool(r.all_events),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

export function eventPolicyOps(db: Db): EventPolicyOps {
  const findWebhook = async (name: string) => {
    const r = await db.get("SELECT * FROM event_webhooks WHERE name = ?", [name]);
    return r ? hookRow(r) : null;
  };
  return {
    async createEventBlock(b) {
      await db.run(
        `INSERT INTO event_blocks (id, start_time, end_time, kind_name, owner_name, target_type, target_value, reason, active)
         VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
        [b.id, b.startTime.getTime(), b.kindName, b.ownerName, b.target.type, b.target.value, b.reason, true],
      );
      return { ...b, endTime: null, active: true };
    },
    async listEventBlocks(filter = {}) {
      const w = new Where();
      if (filter.active !== undefined) w.add("active = ?", filter.active);
      const limit = Math.min(Math.max(filter.limit ?? 1000, 1), 1000);
      const rows = await db.all(
        `SELECT * FROM event_blocks ${w} ORDER BY start_time DESC, id DESC LIMIT ${limit}`,
        w.params,
      );
      return rows.map(blockRow);
    },
    async deactivateEventBlock(id, at = new Date()) {
      const n = await db.run("UPDATE event_blocks SET active = ?, end_time = ? WHERE id = ? AND active = ?", [
        false,
        at.getTime(),
        id,
        true,
      ]);
      if (n === 0) throw new NotFoundError("event block", id, `active event block with id ${id} not found`);
      return blockRow((await db.get("SELECT * FROM event_blocks WHERE id = ?", [id]))!);
    },
    async createWebhook(w) {
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO event_webhooks (name, team_owner, description, event_filter, url, proxy_url, headers, method,
           body, insecure, secret_sealed, all_events, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          w.name,
          w.teamOwner,
          w.description,
          toJson(w.eventFilter),
          w.url,
          w.proxyUrl,
          toJson(w.headers),
          w.method,
          w.body,
          w.insecure,
          w.secretSealed,
          w.allEvents,
          now,
          now,
        ],
      );
      if (n === 0) throw new ConflictError(`webhook "${w.name}" already exists`, "webhook", w.name);
      return (await findWebhook(w.name))!;
    },
    findWebhook,
    async listWebhooks(filter = {}) {
      const w = new Where();
      if (filter.teams) w.in("team_owner", filter.teams);
      return (await db.all(`SELECT * FROM event_webhooks ${w} ORDER BY name`, w.params)).map(hookRow);
    },
    async updateWebhook(name, patch) {
      const cur = await findWebhook(name);
      if (!cur) throw new NotFoundError("webhook", name);
      const next = { ...cur, ...patch };
      await db.run(
        `UPDATE event_webhooks SET team_owner = ?, description = ?, event_filter = ?, url = ?, proxy_url = ?,
           headers = ?, method = ?, body = ?, insecure = ?, secret_sealed = ?, all_events = ?, updated_at = ?
         WHERE name = ?`,
        [
          next.teamOwner,
          next.description,
          toJson(next.eventFilter),
          next.url,
          next.proxyUrl,
          toJson(next.headers),
          next.method,
          next.body,
          next.insecure,
          next.secretSealed,
          next.allEvents,
          Date.now(),
          name,
        ],
      );
      return (await findWebhook(name))!;
    },
    async deleteWebhook(name) {
      const n = await db.run("DELETE FROM event_webhooks WHERE name = ?", [name]);
      if (n === 0) throw new NotFoundError("webhook", name);
    },
  };
}
