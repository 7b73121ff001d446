// Every route the endpoint answers, bare or under /v<version>, as Swarm registered them
// (§6). Anything else gets a clear "not supported" error at once, never a hang.
import type { Handler } from "./context.js";
import * as containers from "./containers.js";
import { create } from "./create.js";
import * as exec from "./exec.js";
import { events } from "./events.js";
import * as images from "./images.js";
import { info, ping, version } from "./info.js";
import * as networks from "./networks.js";
import * as volumes from "./volumes.js";

export interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
  /** Takes the connection over when the client asks to upgrade (attach, exec start). */
  upgrade?: "attach" | "exec";
}

const C = "/containers/([^?]+?)";
const r = (method: string, path: string, handler: Handler, upgrade?: Route["upgrade"]): Route => ({
  method,
  re: new RegExp(`^${path}$`),
  handler,
  ...(upgrade ? { upgrade } : {}),
});

export const ROUTES: readonly Route[] = [
  r("GET", "/_ping", ping),
  r("HEAD", "/_ping", ping),
  r("GET", "/version", version),
  r("GET", "/info", info),
  r("GET", "/events", events),
  r("GET", "/containers/json", containers.list),
  r("GET", "/containers/ps", containers.list),
  r("POST", "/containers/create", create),
  r("GET", `${C}/json`, containers.inspect),
  r("POST", `${C}/start`, containers.lifecycle("/start")),
  r("POST", `${C}/stop`, containers.lifecycle("/stop")),
  r("POST", `${C}/kill`, containers.lifecycle("/kill")),
  r("POST", `${C}/restart`, containers.lifecycle("/restart")),
  r("POST", `${C}/pause`, containers.lifecycle("/pause")),
  r("POST", `${C}/unpause`, containers.lifecycle("/unpause")),
  r("POST", `${C}/update`, containers.lifecycle("/update")),
  r("POST", `${C}/rename`, containers.rename),
  r("POST", `${C}/wait`, containers.wait),
  r("POST", `${C}/resize`, containers.streamed("/resize")),
  r("POST", `${C}/attach`, containers.streamed("/attach"), "attach"),
  r("GET", `${C}/logs`, containers.streamed("/logs")),
  r("GET", `${C}/top`, containers.streamed("/top")),
  r("GET", `${C}/stats`, containers.streamed("/stats")),
  r("GET", `${C}/changes`, containers.streamed("/changes")),
  r("GET", `${C}/export`, containers.streamed("/export")),
  r("HEAD", `${C}/archive`, containers.streamed("/archive")),
  r("GET", `${C}/archive`, containers.streamed("/archive")),
  r("PUT", `${C}/archive`, containers.streamed("/archive")),
  r("POST", `${C}/exec`, exec.createExec),
  r("DELETE", "/containers/([^?]+)", containers.remove),
  r("POST", "/exec/([^/]+)/start", exec.execProxy("/start"), "exec"),
  r("POST", "/exec/([^/]+)/resize", exec.execProxy("/resize")),
  r("GET", "/exec/([^/]+)/json", exec.execProxy("/json")),
  r("GET", "/images/json", images.list),
  r("POST", "/images/create", images.pull),
  r("GET", "/images/(.+)/json", images.fromHolder("/json")),
  r("GET", "/images/(.+)/history", images.fromHolder("/history")),
  r("DELETE", "/images/(.+)", images.remove),
  r("GET", "/networks", networks.list),
  r("POST", "/networks/create", networks.create),
  r("POST", "/networks/([^/]+)/connect", networks.membership("connect")),
  r("POST", "/networks/([^/]+)/disconnect", networks.membership("disconnect")),
  r("GET", "/networks/([^?]+)", networks.inspect),
  r("DELETE", "/networks/([^?]+)", networks.remove),
  r("GET", "/volumes", volumes.list),
  r("POST", "/volumes/create", volumes.create),
  r("GET", "/volumes/([^?]+)", volumes.inspect),
  r("DELETE", "/volumes/([^?]+)", volumes.remove),
];

export function match(method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.re.exec(path);
    if (m) return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
  }
  return undefined;
}
