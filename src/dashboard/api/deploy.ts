// A deploy from the browser: POST /apps/{app}/deploy (multipart, as `wharf app deploy` sends
// it) answers plain text as the build runs, with the deploy's event id in X-Tsuru-Eventid,
// and ends with "\nOK\n" only when the deploy succeeded. The deploy goes on in the server
// when the connection drops, so the page then follows the event (GET /events/{id}) until it
// ends; cancelling asks the event to stop (POST /events/{id}/cancel), as the CLI does.
import { api, ApiError, send } from "./client";
import { readText } from "./streams";

export type DeployPhase = "uploading" | "running" | "reconnecting" | "ok" | "failed";

export interface DeployCallbacks {
  onText(all: string): void;
  onPhase(phase: DeployPhase): void;
  onEvent(id: string): void;
}

export interface DeployResult {
  ok: boolean;
  /** The sentence of a failed deploy (the last line of its output, or its event's error). */
  error: string;
}

interface EventInfo {
  EndTime: string;
  Error: string;
  Log: string;
  Running?: boolean;
}

const ZERO_TIME = "0001-01-01T00:00:00Z";
const POLL_MS = 1000;

function ended(e: EventInfo): boolean {
  return e.Running === false || (!!e.EndTime && e.EndTime !== ZERO_TIME && !e.EndTime.startsWith("0001-"));
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return (lines.at(-1) ?? "").replace(/^Error:\s*/, "");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows the deploy's event once its stream broke: its log replaces what was shown. */
async function followEvent(id: string, cb: DeployCallbacks): Promise<DeployResult> {
  cb.onPhase("reconnecting");
  let delay = POLL_MS;
  for (;;) {
    let ev: EventInfo | null = null;
    try {
      ev = await api<EventInfo>("GET", `/events/${encodeURIComponent(id)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) return { ok: false, error: e.message };
    }
    if (ev) {
      cb.onPhase("running");
      cb.onText(ev.Log);
      if (ended(ev)) return ev.Error ? { ok: false, error: ev.Error } : { ok: true, error: "" };
      delay = POLL_MS;
    } else {
      cb.onPhase("reconnecting");
      delay = Math.min(delay * 2, 5000);
    }
    await sleep(delay);
  }
}

export async function deployApp(app: string, form: FormData, cb: DeployCallbacks): Promise<DeployResult> {
  cb.onPhase("uploading");
  // A refusal before the build starts (bad archive, no access) is a 4xx with the API's sentence.
  const res = await send("POST", `/apps/${encodeURIComponent(app)}/deploy`, form);
  const id = res.headers.get("x-tsuru-eventid") ?? "";
  if (id) cb.onEvent(id);
  cb.onPhase("running");
  let text = "";
  try {
    await readText(res, (chunk) => {
      text += chunk;
      cb.onText(text);
    });
  } catch {
    if (id) return followEvent(id, cb);
    return { ok: false, error: "The connection broke during the deploy: see the app's deploys for its end." };
  }
  if (text.endsWith("\nOK\n")) return { ok: true, error: "" };
  return { ok: false, error: lastLine(text) || "The deploy ended without OK." };
}

export async function cancelEvent(id: string, reason: string): Promise<void> {
  await api("POST", `/events/${encodeURIComponent(id)}/cancel`, { reason });
}
