// Active health checks: every interval, GET the app's healthcheck path on each of its units through
// the unit's own pool. A unit failing the check leaves rotation until a check passes again.
import type { RouteTable } from "./table.js";
import type { UpstreamBackend } from "./upstream.js";

export interface ActiveHealthOptions {
  intervalMs: number;
  timeoutMs: number;
}

export class ActiveHealthChecker {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly table: RouteTable<UpstreamBackend>,
    private readonly opts: ActiveHealthOptions,
  ) {}

  start(): void {
    if (this.timer || this.opts.intervalMs <= 0) return;
    this.timer = setInterval(() => void this.checkAll(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over every app with a healthcheck path (exported for tests). */
  async checkAll(): Promise<void> {
    if (this.running) return; // a slow round must not pile up behind itself
    this.running = true;
    try {
      const jobs: Promise<void>[] = [];
      for (const entry of this.table.apps()) {
        const path = entry.route.healthcheckPath;
        if (!path) {
          // Checks switched off for the app: nothing may keep a unit out of rotation.
          for (const b of entry.backends) b.healthy = true;
          continue;
        }
        for (const b of entry.backends) jobs.push(this.check(b, path, entry.route.app));
      }
      await Promise.all(jobs);
    } finally {
      this.running = false;
    }
  }

  private async check(b: UpstreamBackend, path: string, app: string): Promise<void> {
    if (b.closed) return;
    try {
      const res = await b.pool.request({
        method: "GET",
        path: path.startsWith("/") ? path : "/" + path,
        headers: { host: `${app}.healthcheck`, "user-agent": "wharf-router-healthcheck" },
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
      await res.body.dump();
      b.healthy = res.statusCode >= 200 && res.statusCode < 400;
    } catch {
      b.healthy = false;
    }
  }
}
