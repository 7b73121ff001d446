// Delivers event webhooks: the one adapter that calls team-given URLs. Finished events are queued
// in memory (as tsuru's webhook service does) and delivered off the event's path: notify() only
// pushes an id, so a target that hangs or fails never slows the operation it reports. Each call
// has a timeout, failures are retried with exponential backoff, and every body is signed:
//   X-Wharf-Timestamp: <unix seconds>
//   X-Wharf-Signature-256: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the hook's secret>
// The body is the event as tsuru's event-info shows it (no custom data), or the hook's template;
// the secret itself is never sent. A team's hook hears only events on what the team owns. Logs name the hook and the event, never the URL or headers.
import { createHmac, randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { Agent, ProxyAgent, request, type Dispatcher } from "undici";
import type { Ctx } from "../domain/services/context.js";
import { observeFinishedEvents } from "../domain/services/events.js";
import { eventView } from "../domain/services/event-list.js";
import { unsealSecret } from "../domain/services/sealing.js";
import { eventTargets, hookBody, hookMayHear, matchesEvent, methodOf } from "../domain/webhooks.js";
import type { EventRecord, WebhookRecord } from "../store/types.js";

export interface DeliveryOptions {
  /** Calls per event and hook, the first included. */
  attempts: number;
  /** Wait before the second call; doubled for each later one, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** One call's limit, from connecting to the end of the answer. */
  timeoutMs: number;
  /** Calls in flight at once. */
  concurrency: number;
  /** Events waiting beyond this are dropped (oldest first), with a warning. */
  queueLimit: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  attempts: 5,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  timeoutMs: 15_000,
  concurrency: 4,
  queueLimit: 1000,
};

const USER_AGENT = "wharf-webhook/1.0";
const HOOKS_CACHE_MS = 1000;
/** Queued between events: read the hooks again before the next one. */
const FORGET_HOOKS = "";

interface Job {
  hook: WebhookRecord;
  eventId: string;
  body: string | null;
  json: boolean;
  attempt: number;
  delivery: string;
}

/** Signature header value for a body sent at `timestamp` (seconds). */
export function signature(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export class WebhookDispatcher {
  private readonly o: DeliveryOptions;
  private readonly events: string[] = [];
  private readonly ready: Job[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private hooks: { until: number; value: Promise<WebhookRecord[]> } | null = null;
  private draining = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private readonly insecureAgent = new Agent({ connect: { rejectUnauthorized: false } });

  constructor(
    private readonly ctx: Ctx,
    private readonly log: Logger,
    opts: Partial<DeliveryOptions> = {},
  ) {
    this.o = { ...DEFAULT_DELIVERY, ...opts };
  }

  start(): void {
    observeFinishedEvents(this.ctx.store, (id, kind) => this.notify(id, kind));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    observeFinishedEvents(this.ctx.store, null);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ac of this.inflight) ac.abort();
    this.events.length = 0;
    this.ready.length = 0;
    await this.insecureAgent.close().catch(() => undefined);
    this.wakeIdle();
  }

  /** An event finished: queue it. Never throws, never waits. */
  notify(eventId: string, kind = ""): void {
    if (this.stopped) return;
    // A hook made, changed or removed through this server applies from the next event on (other
    // servers' changes within HOOKS_CACHE_MS): the events are read in the order they finished.
    if (kind.startsWith("webhook.")) this.events.push(FORGET_HOOKS);
    this.events.push(eventId);
    if (this.events.length > this.o.queueLimit) {
      const dropped = this.events.shift();
      this.log.warn({ event: dropped }, "webhook queue full: an event's webhooks were dropped");
    }
    setImmediate(() => void this.drain());
  }

  /** Resolves once nothing is queued, waiting for a retry or in flight (tests, shutdown). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private isIdle(): boolean {
    return (
      this.events.length === 0 &&
      this.ready.length === 0 &&
      this.timers.size === 0 &&
      this.inflight.size === 0 &&
      !this.draining
    );
  }

  private wakeIdle(): void {
    if (!this.isIdle() && !this.stopped) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const r of w) r();
  }

  private listHooks(): Promise<WebhookRecord[]> {
    const now = Date.now();
    if (this.hooks && this.hooks.until > now) return this.hooks.value;
    const value = this.ctx.store.listWebhooks();
    this.hooks = { until: now + HOOKS_CACHE_MS, value };
    value.catch(() => (this.hooks = null));
    return value;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.events.length && !this.stopped) {
        const id = this.events.shift()!;
        if (id === FORGET_HOOKS) {
          this.hooks = null;
          continue;
        }
        try {
          await this.expand(id);
        } catch (err) {
          this.log.warn({ err, event: id }, "could not read an event's webhooks");
        }
        this.pump();
      }
    } finally {
      this.draining = false;
      this.pump();
      this.wakeIdle();
    }
  }

  /** Turns a finished event into one job per matching hook. */
  private async expand(eventId: string): Promise<void> {
    const hooks = await this.listHooks();
    if (hooks.length === 0) return;
    const e = await this.ctx.store.findEvent(eventId);
    if (!e || e.running) return;
    const matching = hooks.filter((h) => matchesEvent(h.eventFilter, e));
    if (matching.length === 0) return;
    const teams = await this.teamsOf(e);
    const view = eventView(e);
    for (const hook of matching) {
      if (!hookMayHear(hook, teams)) continue;
      const { body, json } = hookBody(hook, view);
      this.ready.push({ hook, eventId, body, json, attempt: 1, delivery: randomUUID() });
    }
  }

  /**
   * The teams the event's targets belong to: an app's teams, a service instance's, a team. What
   * no longer exists (a removed app) belongs to nobody, so only all-events hooks hear of it.
   */
  private async teamsOf(e: EventRecord): Promise<Set<string>> {
    const out = new Set<string>();
    for (const t of eventTargets(e)) {
      if (t.type === "team") out.add(t.value);
      else if (t.type === "app") {
        for (const team of (await this.ctx.store.findApp(t.value))?.teams ?? []) out.add(team);
      } else if (t.type === "service-instance") {
        const i = t.value.indexOf("/");
        if (i <= 0) continue;
        const inst = await this.ctx.store.findServiceInstance(t.value.slice(0, i), t.value.slice(i + 1));
        for (const team of inst?.teams ?? []) out.add(team);
      }
    }
    return out;
  }

  private pump(): void {
    while (!this.stopped && this.ready.length && this.inflight.size < this.o.concurrency) {
      const job = this.ready.shift()!;
      const ac = new AbortController();
      this.inflight.add(ac);
      void this.call(job, ac.signal)
        .then(
          () => undefined,
          (err: unknown) => this.failed(job, err),
        )
        .finally(() => {
          this.inflight.delete(ac);
          this.pump();
          this.wakeIdle();
        });
    }
  }

  private failed(job: Job, err: unknown): void {
    if (this.stopped) return;
    const reason = (err as Error).message?.slice(0, 200) ?? String(err);
    if (job.attempt >= this.o.attempts) {
      this.log.warn(
        { webhook: job.hook.name, event: job.eventId, attempts: job.attempt, reason },
        "webhook call failed; giving up",
      );
      return;
    }
    const wait = Math.min(this.o.baseDelayMs * 2 ** (job.attempt - 1), this.o.maxDelayMs);
    this.log.info(
      { webhook: job.hook.name, event: job.eventId, attempt: job.attempt, reason },
      "webhook call failed; retrying",
    );
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.ready.push({ ...job, attempt: job.attempt + 1 });
      this.pump();
      this.wakeIdle();
    }, wait);
    t.unref();
    this.timers.add(t);
  }

  private dispatcherFor(hook: WebhookRecord): Dispatcher | undefined {
    if (hook.proxyUrl)
      return new ProxyAgent({
        uri: hook.proxyUrl,
        ...(hook.insecure ? { requestTls: { rejectUnauthorized: false } } : {}),
      });
    return hook.insecure ? this.insecureAgent : undefined;
  }

  private async call(job: Job, signal: AbortSignal): Promise<void> {
    const { hook } = job;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(hook.headers)) headers[k] = v.length === 1 ? v[0]! : v;
    if (!Object.keys(headers).some((k) => k.toLowerCase() === "user-agent"))
      headers["user-agent"] = USER_AGENT;
    if (job.json) headers["content-type"] = "application/json";
    const ts = Math.floor(Date.now() / 1000);
    const secret = unsealSecret(this.ctx, hook.secretSealed);
    headers["x-wharf-event-id"] = job.eventId;
    headers["x-wharf-delivery"] = job.delivery;
    headers["x-wharf-timestamp"] = String(ts);
    if (secret) headers["x-wharf-signature-256"] = signature(secret, ts, job.body ?? "");
    const dispatcher = this.dispatcherFor(hook);
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    try {
      const res = await request(hook.url, {
        method: methodOf(hook) as Dispatcher.HttpMethod,
        headers,
        ...(job.body !== null ? { body: job.body } : {}),
        ...(dispatcher ? { dispatcher } : {}),
        signal: AbortSignal.any([signal, timeout]),
        headersTimeout: this.o.timeoutMs,
        bodyTimeout: this.o.timeoutMs,
      });
      // Read a little of the answer for the log, and let the connection go.
      const text = (await res.body.text()).slice(0, 200);
      if (res.statusCode < 200 || res.statusCode >= 400)
        throw new Error(`invalid status code calling hook: ${res.statusCode}: ${text}`);
    } catch (err) {
      if (timeout.aborted) throw new Error(`no answer within ${this.o.timeoutMs} ms`);
      throw err;
    } finally {
      if (dispatcher && dispatcher !== this.insecureAgent) await dispatcher.close().catch(() => undefined);
    }
  }
}
