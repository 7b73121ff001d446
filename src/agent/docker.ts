// The few Docker Engine API calls the agent makes, over its node's socket with node:http
// (the agent image carries no packages). Unit containers are found by Wharf's labels.
import { request, type IncomingMessage } from "node:http";
import type { Counters } from "./cgroups.js";
import { countersFromStats, type DockerStats } from "./stats.js";

export interface UnitContainer {
  id: string;
  name: string;
  unit: string;
  state: string;
}

export class DockerSocket {
  constructor(
    readonly socketPath: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** One request; resolves with the response (status checked by the caller). */
  raw(
    method: string,
    path: string,
    opts: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.socketPath, method, path, signal: opts.signal }, resolve);
      const t = opts.timeoutMs ?? this.timeoutMs;
      if (t > 0)
        req.setTimeout(t, () =>
          req.destroy(new Error(`docker ${method} ${path.split("?")[0]} timed out after ${t} ms`)),
        );
      req.on("error", reject);
      req.end();
    });
  }

  async json<T>(method: string, path: string): Promise<T> {
    const res = await this.raw(method, path);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if ((res.statusCode ?? 500) >= 400)
      throw new Error(
        `docker ${method} ${path.split("?")[0]}: ${res.statusCode} ${text.trim().slice(0, 200)}`,
      );
    return (text ? JSON.parse(text) : null) as T;
  }

  async ping(): Promise<void> {
    const res = await this.raw("GET", "/_ping", { timeoutMs: 3000 });
    res.resume();
    if (res.statusCode !== 200) throw new Error(`docker answered ${res.statusCode} to a ping`);
  }

  /** Containers carrying every label given (`key=value` or `key`), running or not. */
  async listByLabel(labels: string[]): Promise<UnitContainer[]> {
    const filters = encodeURIComponent(JSON.stringify({ label: labels }));
    const list = await this.json<
      Array<{ Id: string; Names?: string[]; State: string; Labels?: Record<string, string> }>
    >("GET", `/containers/json?all=1&filters=${filters}`);
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names?.[0] ?? "").replace(/^\//, ""),
      unit: c.Labels?.["wharf.unit"] ?? "",
      state: c.State,
    }));
  }

  /** Container start events of containers with the label, until the signal aborts or the stream breaks. */
  async events(label: string, signal: AbortSignal): Promise<IncomingMessage> {
    const filters = encodeURIComponent(
      JSON.stringify({ type: ["container"], event: ["start"], label: [label] }),
    );
    const res = await this.raw("GET", `/events?filters=${filters}`, { signal, timeoutMs: 0 });
    if (res.statusCode !== 200) {
      res.resume();
      throw new Error(`docker events answered ${res.statusCode}`);
    }
    return res;
  }

  async tty(id: string): Promise<boolean> {
    const info = await this.json<{ Config?: { Tty?: boolean } }>(
      "GET",
      `/containers/${encodeURIComponent(id)}/json`,
    );
    return Boolean(info.Config?.Tty);
  }

  /** The container's init pid (0 when it is not running). */
  async pid(id: string): Promise<number> {
    const info = await this.json<{ State?: { Pid?: number } }>(
      "GET",
      `/containers/${encodeURIComponent(id)}/json`,
    );
    return info.State?.Pid ?? 0;
  }

  /** One-shot stats (API 1.41: no second sample to wait for); null once it is gone. */
  async statsOnce(id: string): Promise<Counters | null> {
    return countersFromStats(
      await this.json<DockerStats>(
        "GET",
        `/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`,
      ),
    );
  }

  /** The container's output with timestamps from `since` ("" = from its start), followed. */
  async logs(id: string, since: string, signal: AbortSignal): Promise<IncomingMessage> {
    const q = `follow=1&stdout=1&stderr=1&timestamps=1${since ? `&since=${since}` : ""}`;
    const res = await this.raw("GET", `/containers/${encodeURIComponent(id)}/logs?${q}`, {
      signal,
      timeoutMs: 0,
    });
    if (res.statusCode !== 200) {
      res.resume();
      throw new Error(`docker logs of ${id.slice(0, 12)} answered ${res.statusCode}`);
    }
    return res;
  }

  async stop(id: string): Promise<void> {
    const res = await this.raw("POST", `/containers/${encodeURIComponent(id)}/stop?t=5`, {
      timeoutMs: 30_000,
    });
    res.resume();
  }
}
