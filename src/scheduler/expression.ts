// Swarm 1.2.9's scheduling expression grammar (scheduler/filter/expr.go), reproduced
// byte for byte where it matters: operators tried in the order ==, != with substring
// search, key lower-cased, "~" after the operator marks a soft expression, values
// are anchored globs unless written /regex/.
import { err, ok, type Result } from "./types.js";

export type Operator = "==" | "!=";

export interface Expr {
  /** Lower-cased like Swarm does, so label lookups use the lower-case key. */
  key: string;
  op: Operator;
  /** Value with the soft "~" stripped. */
  value: string;
  soft: boolean;
  /** The source text, for error messages. */
  source: string;
  /** Compiled matcher; null when the regexp does not compile (never matches, as in Swarm). */
  re: RegExp | null;
}

const OPERATORS: readonly Operator[] = ["==", "!="];
const KEY_RE = /^[a-z_][a-z0-9\-_.]+$/i;
const VALUE_RE = /^[=!/]?(~)?[a-z0-9:\-_\s.*/()?+[\]\\^$|]+$/i;

/** Go RE2 → JS: a leading (?i) becomes the "i" flag; anything JS rejects never matches. */
function compile(pattern: string): RegExp | null {
  let flags = "";
  let p = pattern;
  if (p.startsWith("(?i)")) {
    flags = "i";
    p = p.slice(4);
  }
  try {
    return new RegExp(p, flags);
  } catch {
    return null;
  }
}

function matcherFor(value: string): RegExp | null {
  if (value.length >= 2 && value.startsWith("/") && value.endsWith("/")) {
    // Unanchored RE2, case-sensitive unless the pattern says (?i).
    return compile(value.slice(1, -1));
  }
  // Only "*" is turned into ".*"; every other metacharacter keeps its regexp meaning.
  return compile("^" + value.split("*").join(".*") + "$");
}

/** Parse one expression; the error text is Swarm's. */
export function parseExpr(source: string): Result<Expr, string> {
  for (const op of OPERATORS) {
    const at = source.indexOf(op);
    if (at < 0) continue;
    const key = source.slice(0, at);
    const rawValue = source.slice(at + op.length);
    if (!KEY_RE.test(key)) return err(`Key '${key}' is invalid`);
    // SplitN always yields a right-hand side, so "node==" fails here with an empty value.
    if (!VALUE_RE.test(rawValue)) return err(`Value '${rawValue}' is invalid`);
    const soft = rawValue.startsWith("~");
    const value = rawValue.replace(/^~+/, "");
    return ok({ key: key.toLowerCase(), op, value, soft, source, re: matcherFor(value) });
  }
  return err("One of operator ==, != is expected");
}

// Requests repeat the same few expressions; parsing is pure, so memoise it.
const cache = new Map<string, Result<Expr, string>>();
const CACHE_LIMIT = 10_000;

export function parseExprCached(source: string): Result<Expr, string> {
  let r = cache.get(source);
  if (r === undefined) {
    r = parseExpr(source);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, r);
  }
  return r;
}

/** Parse a list; the first bad entry decides the error. */
export function parseExprs(sources: readonly string[] | undefined): Result<Expr[], string> {
  const out: Expr[] = [];
  for (const s of sources ?? []) {
    const r = parseExprCached(s);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return ok(out);
}

/** Does the value match any candidate? (The raw match, before the operator applies.) */
export function matchesAny(e: Expr, candidates: readonly string[]): boolean {
  if (e.re === null) return false;
  for (const c of candidates) {
    e.re.lastIndex = 0;
    if (e.re.test(c)) return true;
  }
  return false;
}

/** Swarm's expr.Match: == is "any candidate matches", != is "none does". */
export function exprMatch(e: Expr, candidates: readonly string[]): boolean {
  const m = matchesAny(e, candidates);
  return e.op === "==" ? m : !m;
}

/** Single-candidate fast path (constraint on one label). */
export function exprMatchOne(e: Expr, candidate: string): boolean {
  const m = e.re !== null && e.re.test(candidate);
  return e.op === "==" ? m : !m;
}

/** "<key><op><value>" as Swarm prints conditions. */
export function exprString(e: Expr): string {
  return `${e.key}${e.op}${e.value}`;
}
