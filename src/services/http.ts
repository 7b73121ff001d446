// One HTTP exchange with a service API or broker, bounded by a timeout. Transport failures,
// timeouts and unexpected statuses become BrokerErrors with a sentence; nothing here logs.
import { BrokerError, safeUrl } from "./errors.js";

export interface BrokerRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Who is being called, for error sentences: `service "mysql"` or `broker "b1"`. */
  label: string;
  /** What the call does, for error sentences: "bind-app", "provision". */
  op: string;
  timeoutMs: number;
}

export interface BrokerResponse {
  status: number;
  text: string;
}

/** Default time a service API gets per call; WHARF_SERVICE_TIMEOUT_MS overrides it. */
export function brokerTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.WHARF_SERVICE_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 30_000;
}

const MAX_BODY = 1024 * 1024;

export async function brokerFetch(r: BrokerRequest): Promise<BrokerResponse> {
  const where = safeUrl(r.url);
  let res: Response;
  try {
    res = await fetch(r.url, {
      method: r.method,
      headers: { ...r.headers, connection: "close" },
      ...(r.body !== undefined ? { body: r.body } : {}),
      signal: AbortSignal.timeout(r.timeoutMs),
      redirect: "manual",
    });
  } catch (e) {
    throw new BrokerError(
      `${r.label} could not be reached for ${r.op} at ${where}: ${transportReason(e, r.timeoutMs)}. Check that it is running and that its endpoint is right.`,
    );
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new BrokerError(
      `${r.label} broke off its answer to ${r.op} at ${where}: ${transportReason(e, r.timeoutMs)}.`,
    );
  }
  if (text.length > MAX_BODY)
    throw new BrokerError(
      `${r.label} answered ${r.op} with more than 1 MiB: a service API answer must be small.`,
    );
  return { status: res.status, text };
}

function transportReason(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; cause?: { code?: string; name?: string } };
  if (err.name === "TimeoutError" || err.cause?.name === "TimeoutError" || err.name === "AbortError")
    return `no answer within ${Math.round(timeoutMs / 100) / 10}s`;
  const code = err.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host name not found";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET") return "connection reset";
  if (code) return `network error ${code}`;
  return "network error";
}

/** application/x-www-form-urlencoded with repeated keys, as tsuru's service client sends. */
export function form(fields: Array<[string, string]>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of fields) sp.append(k, v);
  return sp.toString();
}

export function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}
