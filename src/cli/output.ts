// Output helpers shared by the commands: ASCII tables in tsuru's style (cli-table3),
// `--json` for scripts, and small formatters. Functions return strings so they can be
// tested without a terminal; `print` does the writing.
import { createRequire } from "node:module";
import type TableType from "cli-table3";

// Loaded on the first table: most commands (deploy, unit add) never draw one, and every
// module a command loads is start-up time.
let Table: typeof TableType | undefined;
const loadTable = (): typeof TableType =>
  (Table ??= createRequire(import.meta.url)("cli-table3") as typeof TableType);

/** tsuru-client draws `+---+` boxes; plain ASCII and no colours keep output scriptable. */
const ASCII = {
  top: "-",
  "top-mid": "+",
  "top-left": "+",
  "top-right": "+",
  bottom: "-",
  "bottom-mid": "+",
  "bottom-left": "+",
  "bottom-right": "+",
  left: "|",
  "left-mid": "+",
  mid: "-",
  "mid-mid": "+",
  right: "|",
  "right-mid": "+",
  middle: "|",
};

export type Cell = string | number | boolean | null | undefined;

export function table(head: string[], rows: Cell[][], opts: { separateRows?: boolean } = {}): string {
  const t = new (loadTable())({
    head,
    chars: ASCII,
    style: { head: [], border: [], compact: !opts.separateRows },
  });
  for (const row of rows) t.push(row.map((c) => (c === null || c === undefined ? "" : String(c))));
  return `${t.toString()}\n`;
}

/** `--json` output: the server's data, pretty-printed, with a trailing newline. */
export function json(data: unknown): string {
  return `${JSON.stringify(data ?? null, null, 2)}\n`;
}

export function print(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** Prints `data` as JSON when --json was given, else the rendered table/text. */
export function emit(opts: { json?: boolean }, data: unknown, render: () => string): void {
  print(opts.json ? json(data) : render());
}

/** Joins list cells one item per line, as tsuru does inside table cells. */
export function lines(items: readonly unknown[] | null | undefined): string {
  return (items ?? []).map(String).join("\n");
}

/** Permission names: the root permission is the empty name, shown as `*` like tsuru. */
export function permissionNames(items: readonly unknown[] | null | undefined): string {
  return lines((items ?? []).map((p) => (p === "" ? "*" : p)));
}

/** Bytes as tsuru's plan-list shows them: whole MB unless raw bytes were asked for. */
export function megabytes(bytes: number | undefined, raw = false): string {
  const b = bytes ?? 0;
  if (raw) return String(b);
  return `${Math.round(b / (1024 * 1024))}M`;
}

/** "2026-11-22 04:32:14 (1m2s)"-style: local time, with the duration when ended. */
export function formatTime(iso: string | undefined): string {
  if (!iso || iso.startsWith("0001-01-01")) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatDuration(ms: number): string {
  if (!(ms >= 0)) return "";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ""}${h || m ? `${m}m` : ""}${s}s`;
}

/** Masks a secret for display; never print tokens or passwords. */
export const MASK = "*** (private variable)";

/**
 * Reads a key case-insensitively: tsuru's Go client decodes most answers that way
 * (reference §1.6), so servers may send `Email` or `email`.
 */
export function field<T = unknown>(obj: unknown, name: string): T | undefined {
  if (typeof obj !== "object" || obj === null) return undefined;
  const rec = obj as Record<string, unknown>;
  if (name in rec) return rec[name] as T;
  const lower = name.toLowerCase();
  for (const k of Object.keys(rec)) if (k.toLowerCase() === lower) return rec[k] as T;
  return undefined;
}

export function str(obj: unknown, name: string): string {
  const v = field(obj, name);
  return v === undefined || v === null ? "" : String(v);
}

/** A role binding as tsuru shows it: `Name(ContextType ContextValue)`. */
export function roleLabel(role: unknown): string {
  const ctx = [str(role, "ContextType"), str(role, "ContextValue")].filter(Boolean).join(" ");
  return `${str(role, "Name")}(${ctx})`;
}
