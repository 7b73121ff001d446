// Local CLI state, laid out like tsuru's ~/.tsuru: `targets` (one "label<TAB>url" per
// line), `target` (the current URL), `token` and `token.d/<label>` (one token per
// target, so switching targets keeps each session). Lives in $WHARF_HOME or ~/.wharf.
// Environment overrides (WHARF_TARGET/WHARF_TOKEN, then TSURU_TARGET/TSURU_TOKEN) win,
// so scripts and tsuru plugins work without touching files.
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./errors.js";
import { normalizeTarget } from "./client/http.js";
import { wharfHome, type Env } from "./home.js";

export { wharfHome, type Env };

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes a file readable by its owner only: tokens are credentials. */
function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}

export function readTargets(env: Env = process.env): Map<string, string> {
  const targets = new Map<string, string>();
  const text = readOptional(join(wharfHome(env), "targets")) ?? "";
  for (const line of text.split("\n")) {
    const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(line);
    if (m) targets.set(m[1]!, m[2]!);
  }
  return targets;
}

export function writeTargets(targets: Map<string, string>, env: Env = process.env): void {
  const home = wharfHome(env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const lines = [...targets].map(([label, url]) => `${label}\t${url}\n`).join("");
  writeFileSync(join(home, "targets"), lines);
}

export function currentTargetUrl(env: Env = process.env): string | undefined {
  return readOptional(join(wharfHome(env), "target"))?.trim() || undefined;
}

export function setCurrentTarget(url: string, env: Env = process.env): void {
  const home = wharfHome(env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, "target"), `${url}\n`);
}

export function clearCurrentTarget(env: Env = process.env): void {
  rmSync(join(wharfHome(env), "target"), { force: true });
}

export interface ResolvedTarget {
  url: string;
  /** The label of the target in the targets file, when it has one. */
  label?: string;
}

function labelFor(url: string, targets: Map<string, string>): string | undefined {
  const want = normalizeTarget(url).replace(/\/+$/, "");
  for (const [label, u] of targets) if (normalizeTarget(u).replace(/\/+$/, "") === want) return label;
  return undefined;
}

/** The target to talk to: env (a label or a URL), else the current target file. */
export function resolveTarget(env: Env = process.env, flag?: string): ResolvedTarget {
  const targets = readTargets(env);
  const given = flag || env.WHARF_TARGET || env.TSURU_TARGET;
  if (given) {
    const byLabel = targets.get(given);
    if (byLabel) return { url: byLabel, label: given };
    return { url: given, label: labelFor(given, targets) };
  }
  const current = currentTargetUrl(env);
  if (!current) {
    throw new CliError(
      "no target set: run `wharf target add NAME URL --set` (or set WHARF_TARGET) to choose a Wharf server",
    );
  }
  return { url: current, label: labelFor(current, targets) };
}

/** The session token: env, else the target's own token file, else the shared one. */
export function readToken(target: ResolvedTarget, env: Env = process.env): string | undefined {
  const fromEnv = env.WHARF_TOKEN || env.TSURU_TOKEN;
  if (fromEnv) return fromEnv.trim();
  const home = wharfHome(env);
  if (target.label) {
    const perTarget = readOptional(join(home, "token.d", target.label))?.trim();
    if (perTarget) return perTarget;
  }
  return readOptional(join(home, "token"))?.trim() || undefined;
}

export function saveToken(target: ResolvedTarget, token: string, env: Env = process.env): void {
  const home = wharfHome(env);
  mkdirSync(join(home, "token.d"), { recursive: true, mode: 0o700 });
  writePrivate(join(home, "token"), `${token}\n`);
  if (target.label) writePrivate(join(home, "token.d", target.label), `${token}\n`);
}

export function removeToken(target: ResolvedTarget, env: Env = process.env): void {
  const home = wharfHome(env);
  rmSync(join(home, "token"), { force: true });
  if (target.label) rmSync(join(home, "token.d", target.label), { force: true });
}

/** When a target is selected, the shared `token` must follow its per-target token. */
export function activateTargetToken(label: string, env: Env = process.env): void {
  const home = wharfHome(env);
  const perTarget = join(home, "token.d", label);
  if (existsSync(perTarget)) writePrivate(join(home, "token"), readFileSync(perTarget, "utf8"));
  else rmSync(join(home, "token"), { force: true });
}
