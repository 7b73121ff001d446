// Active health checks: every interval, GET the app's healthcheck path on each of its units through
// the unit's own pool. A unit failing the check leaves rotation until a check passes again.
import type { RouteTable } from "./table.js";
import type { UpstreamBackend } from "./upstream.js";
import type { H1Connection, UpstreamHandler } from "./h1-connection.js";

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
    const status = await probe(b, path.startsWith("/") ? path : "/" + path, app, this.opts.timeoutMs);
    b.healthy = status >= 200 && status < 400;
  }
}

/** GET path through the unit's pool; resolves the status, or 0 on error or after timeoutMs. */
function probe(b: UpstreamBackend, path: string, app: string, timeoutMs: number): Promise<number> {
  // The path goes into a request line as is: anything but visible ASCII would change the request.
  if (/[^\x21-\x7e]/.test(path)) return Promise.resolve(0);
  return new Promise((resolve) => {
    let status = 0;
    let conn: H1Connection | undefined;
    let gen = 0;
    const timer = setTimeout(() => {
      conn?.abort(gen, new Error("health check timed out"));
      resolve(0);
    }, timeoutMs);
    const h: UpstreamHandler = {
      onConnect: (c, g) => ((conn = c), (gen = g)),
      onHeaders: (s) => (status = s),
      onData: () => true,
      onFlush: () => undefined,
      onComplete: () => {
        clearTimeout(timer);
        resolve(status);
      },
      onError: () => {
        clearTimeout(timer);
        resolve(0);
      },
    };
    b.pool.dispatch(
      {
        head: `GET ${path} HTTP/1.1\r\nhost: ${app}.healthcheck\r\nuser-agent: wharf-router-healthcheck\r\n`,
        isHead: false,
        body: null,
        chunked: false,
        maxBodyBytes: 0,
      },
      h,
    );
  });
}
