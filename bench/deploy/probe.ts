// HTTP probes both sides of the benchmark share: the same request loop, the same interval,
// so neither side is favoured by how often it is asked.
import { performance } from "node:perf_hooks";
import { request } from "undici";

export const POLL_MS = 10;

export interface Answer {
  status: number;
  body: string;
}

/** One GET; connection errors and timeouts come back as status 0. */
export async function get(url: string, host?: string): Promise<Answer> {
  try {
    const res = await request(url, {
      headers: host ? { host } : {},
      headersTimeout: 2000,
      bodyTimeout: 2000,
    });
    return { status: res.statusCode, body: await res.body.text() };
  } catch {
    return { status: 0, body: "" };
  }
}

/**
 * Polls `url` every POLL_MS until an answer satisfies `done`; resolves with the time
 * (performance.now()) that answer arrived. Gives up after `timeoutMs`.
 */
export async function pollUntil(
  url: string,
  done: (a: Answer) => boolean,
  opts: { host?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const deadline = performance.now() + (opts.timeoutMs ?? 180_000);
  let last: Answer = { status: 0, body: "" };
  while (performance.now() < deadline) {
    if (opts.signal?.aborted) throw new Error("polling was stopped");
    last = await get(url, opts.host);
    if (done(last)) return performance.now();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`no matching answer from ${url} in time; last: ${last.status} ${last.body.slice(0, 200)}`);
}

/** The `key: value` line the example app prints (unit, version). */
export function field(body: string, key: string): string | undefined {
  return new RegExp(`^${key}: (.*)$`, "m").exec(body)?.[1]?.trim();
}
