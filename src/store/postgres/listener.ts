// One LISTEN connection per store, shared by all change subscriptions. NOTIFY only makes
// delivery prompt; subscribers also poll, so a dropped connection is retried quietly.
import pg from "pg";

export class ChangeListener {
  private client: pg.Client | null = null;
  private readonly callbacks = new Set<() => void>();
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly clientConfig: pg.ClientConfig,
    private readonly channel: string,
  ) {}

  async add(cb: () => void): Promise<() => Promise<void>> {
    this.callbacks.add(cb);
    if (!this.client) await this.connect();
    return async () => {
      this.callbacks.delete(cb);
      if (this.callbacks.size === 0) await this.disconnect();
    };
  }

  private async connect(): Promise<void> {
    if (this.closed || this.client) return;
    const client = new pg.Client(this.clientConfig);
    const drop = () => {
      if (this.client !== client) return;
      this.client = null;
      client.end().catch(() => undefined);
      if (!this.closed && this.callbacks.size > 0 && !this.retry) {
        this.retry = setTimeout(() => {
          this.retry = null;
          this.connect().catch(() => undefined);
        }, 1000);
        this.retry.unref();
      }
    };
    client.on("error", drop);
    client.on("end", drop);
    client.on("notification", () => {
      for (const cb of this.callbacks) cb();
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch {
      drop();
    }
  }

  private async disconnect(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.callbacks.clear();
    await this.disconnect();
  }
}
