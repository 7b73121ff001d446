// What an app declares about itself: Procfile processes and tsuru.yaml (or wharf.yaml) hooks
// and healthcheck. Pure parsing; every mistake is a BadRequestError naming the line or field.
import { parse as parseYaml, YAMLParseError } from "yaml";
import { BadRequestError } from "../domain/errors.js";

export interface Healthcheck {
  /** Always starts with "/". */
  path: string;
  /** Upper-cased HTTP method; GET by default. */
  method: string;
  /** Expected status; 200 by default. */
  status: number;
  scheme: "http" | "https";
  /** Regular expression the body must match, when given. */
  match?: string;
  headers: Record<string, string>;
  intervalSeconds: number;
  /** Per-request timeout; 0 means the deploy's default. */
  timeoutSeconds: number;
  /** Bad answers tolerated before the check fails. */
  allowedFailures: number;
  useInRouter: boolean;
  routerBody?: string;
}

export interface AppHooks {
  /** Run at image build time, in order, after the platform's build step. */
  build: string[];
  restart: { before: string[]; after: string[] };
}

export interface AppManifest {
  /** Process name → shell command. */
  processes: Record<string, string>;
  hooks: AppHooks;
  healthcheck?: Healthcheck;
}

/** Looked up in this order; the first present wins. */
export const APP_YAML_NAMES = ["wharf.yaml", "wharf.yml", "tsuru.yaml", "tsuru.yml", "app.yaml", "app.yml"];

/** The `web` process of an app built on a platform without a Procfile. */
export const PLATFORM_START = "/var/lib/wharf/start";

// tsuru's Procfile line pattern; names also become container labels and unit names.
const PROCESS_NAME = /^[A-Za-z0-9_-]{1,63}$/;

/** Parses `name: command` lines; blank lines and `#` comments are skipped. */
export function parseProcfile(text: string): Record<string, string> {
  const processes: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon < 0) {
      throw new BadRequestError(
        `Procfile line ${i + 1} is not "name: command": ${clip(line)}; write one process per line, like "web: ./server"`,
      );
    }
    const name = line.slice(0, colon).trim();
    const command = line.slice(colon + 1).trim();
    if (!PROCESS_NAME.test(name)) {
      throw new BadRequestError(
        `Procfile line ${i + 1}: invalid process name ${clip(name)}; use letters, numbers, "-" and "_" (at most 63)`,
      );
    }
    if (command === "") {
      throw new BadRequestError(`Procfile line ${i + 1}: process "${name}" has no command`);
    }
    if (Object.hasOwn(processes, name)) {
      throw new BadRequestError(`Procfile line ${i + 1}: process "${name}" is declared twice`);
    }
    processes[name] = command;
  });
  if (Object.keys(processes).length === 0) {
    throw new BadRequestError(`the Procfile declares no process; add a line like "web: ./server"`);
  }
  return processes;
}

/** Parses tsuru.yaml / wharf.yaml. Unknown keys are ignored, as tsuru does. */
export function parseAppYaml(text: string, file = "tsuru.yaml"): Pick<AppManifest, "hooks" | "healthcheck"> {
  let doc: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    doc = parseYaml(text, { maxAliasCount: 50, prettyErrors: true });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split("\n")[0] : (err as Error).message;
    throw new BadRequestError(`${file} is not valid YAML: ${msg}`);
  }
  const root = mapping(doc ?? {}, file, "the document");
  const hooksDoc = mapping(root.hooks ?? {}, file, "hooks");
  const restart = mapping(hooksDoc.restart ?? {}, file, "hooks.restart");
  const hooks: AppHooks = {
    build: commands(hooksDoc.build, file, "hooks.build"),
    restart: {
      before: commands(restart.before, file, "hooks.restart.before"),
      after: commands(restart.after, file, "hooks.restart.after"),
    },
  };
  const healthcheck = parseHealthcheck(root.healthcheck, file);
  return healthcheck ? { hooks, healthcheck } : { hooks };
}

/** Combines both files; without a Procfile the platform's start script is the web process. */
export function buildManifest(src: {
  procfile?: string;
  appYaml?: { name: string; text: string };
}): AppManifest {
  const processes = src.procfile !== undefined ? parseProcfile(src.procfile) : { web: PLATFORM_START };
  const extra = src.appYaml
    ? parseAppYaml(src.appYaml.text, src.appYaml.name)
    : { hooks: { build: [], restart: { before: [], after: [] } } };
  return { processes, ...extra };
}

function parseHealthcheck(v: unknown, file: string): Healthcheck | undefined {
  if (v === undefined || v === null) return undefined;
  const h = mapping(v, file, "healthcheck");
  const rawPath = optString(h.path, file, "healthcheck.path")?.trim() ?? "";
  // tsuru only checks when a path is set; the other keys alone do nothing.
  if (rawPath === "") return undefined;
  const path = rawPath.replace(/^\/+/, "");
  const method = (optString(h.method, file, "healthcheck.method") ?? "GET").toUpperCase();
  if (!/^[A-Z]{1,16}$/.test(method))
    fieldError(file, "healthcheck.method", "an HTTP method such as GET or HEAD");
  const scheme = (optString(h.scheme, file, "healthcheck.scheme") ?? "http").toLowerCase();
  if (scheme !== "http" && scheme !== "https") fieldError(file, "healthcheck.scheme", `"http" or "https"`);
  const status = int(h.status, file, "healthcheck.status", 200, 100, 599);
  const match = optString(h.match, file, "healthcheck.match");
  if (match !== undefined) {
    try {
      new RegExp(match, "s");
    } catch {
      fieldError(file, "healthcheck.match", "a valid regular expression");
    }
  }
  const headersDoc = mapping(h.headers ?? {}, file, "healthcheck.headers");
  const headers: Record<string, string> = {};
  for (const [k, val] of Object.entries(headersDoc)) {
    if (typeof val !== "string" && typeof val !== "number")
      fieldError(file, `healthcheck.headers.${k}`, "a string");
    headers[k] = String(val);
  }
  const useInRouter = h.use_in_router ?? false;
  if (typeof useInRouter !== "boolean") fieldError(file, "healthcheck.use_in_router", "true or false");
  const routerBody = optString(h.router_body, file, "healthcheck.router_body");
  return {
    path: `/${path}`,
    method,
    status,
    scheme,
    ...(match !== undefined ? { match } : {}),
    headers,
    intervalSeconds: int(h.interval_seconds, file, "healthcheck.interval_seconds", 3, 0, 3600),
    timeoutSeconds: int(h.timeout_seconds, file, "healthcheck.timeout_seconds", 0, 0, 3600),
    allowedFailures: int(h.allowed_failures, file, "healthcheck.allowed_failures", 0, 0, 1000),
    useInRouter,
    ...(routerBody !== undefined ? { routerBody } : {}),
  };
}

function fieldError(file: string, field: string, want: string): never {
  throw new BadRequestError(`${file}: ${field} must be ${want}`);
}

function mapping(v: unknown, file: string, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    fieldError(file, field, "a mapping of keys to values");
  return v as Record<string, unknown>;
}

function commands(v: unknown, file: string, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((c) => typeof c === "string" && c.trim() !== "")) {
    fieldError(file, field, "a list of shell commands (non-empty strings)");
  }
  return v as string[];
}

function optString(v: unknown, file: string, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") fieldError(file, field, "a string");
  return v;
}

function int(v: unknown, file: string, field: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    fieldError(file, field, `a whole number from ${min} to ${max}`);
  }
  return v;
}

function clip(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}...` : s);
}
