// Wharf's public API from the browser: the same routes and the same bearer token as the
// CLI, on the dashboard's own origin. Errors keep the API's sentence (its plain-text body).
// The session token lives in localStorage only: never in a URL, a log line or an error.

const TOKEN_KEY = "wharf.token";

type Listener = () => void;
const listeners = new Set<Listener>();

export const session = {
  token(): string {
    try {
      return localStorage.getItem(TOKEN_KEY) ?? "";
    } catch {
      return "";
    }
  },
  set(token: string): void {
    localStorage.setItem(TOKEN_KEY, token);
    for (const l of listeners) l();
  },
  clear(): void {
    localStorage.removeItem(TOKEN_KEY);
    for (const l of listeners) l();
  },
  /** Called when the token is set or dropped (also when the API refuses it). */
  subscribe(l: Listener): () => void {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/** A refused request: the HTTP status and the API's sentence (0 = the API did not answer). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const UNREACHABLE = "Wharf's API did not answer: check that the server is running, then try again.";

export type FormValue = string | number | boolean | readonly string[] | undefined;
export type Form = Record<string, FormValue>;

/** tsuru's form encoding: repeated keys for lists, booleans as "true"/"false", undefined left out. */
export function encodeForm(form: Form): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v as readonly string[]) p.append(k, x);
    else p.append(k, String(v));
  }
  return p;
}

export function query(q: Form): string {
  const s = encodeForm(q).toString();
  return s ? `?${s}` : "";
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** A 401 here is an answer (bad password), not an expired session. */
  login?: boolean;
}

/** Sends a request and returns the raw response once its status is a success. */
export async function send(
  method: string,
  path: string,
  body?: Form | FormData,
  o: RequestOptions = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = session.token();
  if (token && !o.login) headers.authorization = `bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    payload = encodeForm(body);
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      cache: "no-store",
      credentials: "omit",
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, UNREACHABLE);
  }
  if (res.ok) return res;
  const text = (await res.text().catch(() => "")).trim();
  if (res.status === 401 && !o.login && token) session.clear();
  throw new ApiError(res.status, text || `${res.status} ${res.statusText}`);
}

// Requests started before the view that reads them is on screen. A cold load would otherwise
// ask in sequence: the user (GET /users/info), then, once the shell renders, the page's own
// data. startEarly() sends them together as soon as the bundle runs; the view's first GET of
// the same path takes that answer (once, while fresh) instead of asking again.
const early = new Map<string, { at: number; res: Promise<Response> }>();
/** An early answer older than this is dropped: the view asks the API again. */
const EARLY_FRESH_MS = 10_000;

/** Sends GET `paths` now, with the session's token, for views about to mount. */
export function startEarly(paths: readonly string[]): void {
  for (const path of paths) {
    const res = send("GET", path);
    // The view that takes it handles a refusal; one never taken must not be an unhandled rejection.
    res.catch(() => undefined);
    early.set(path, { at: Date.now(), res });
  }
}

function takeEarly(path: string): Promise<Response> | undefined {
  const e = early.get(path);
  if (!e) return undefined;
  early.delete(path);
  return Date.now() - e.at <= EARLY_FRESH_MS ? e.res : undefined;
}

/** A JSON (or text) answer; null for 204 and empty bodies (tsuru's "nothing"). */
export async function api<T = unknown>(
  method: string,
  path: string,
  body?: Form | FormData,
  o: RequestOptions = {},
): Promise<T | null> {
  const res = await ((method === "GET" && !body && takeEarly(path)) || send(method, path, body, o));
  if (res.status === 204) return null;
  const text = await res.text();
  if (!text) return null;
  return (res.headers.get("content-type") ?? "").includes("json") ? (JSON.parse(text) as T) : (text as T);
}

/** GET of a list: tsuru answers 204 for "none", which is an empty list here. */
export async function list<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  return (await api<T[]>("GET", path, undefined, signal ? { signal } : {})) ?? [];
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return "Something went wrong in the dashboard: reload the page and try again.";
}
