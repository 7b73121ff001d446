// Request input as tsuru reads it: form, query or JSON, keys matched case-insensitively,
// dotted/indexed keys for nested values (Envs.0.Name, routeropts.a), and "" meaning
// unset/false. Validation errors are 400s with a sentence naming the field.
import { BadRequestError } from "../domain/errors.js";

interface Entry {
  key: string; // original key
  lower: string;
  value: string;
}

const MAX_ENTRIES = 10_000;

function flatten(obj: unknown, prefix: string, out: Entry[]): void {
  if (out.length > MAX_ENTRIES)
    throw new BadRequestError("Too many fields in the request: send at most 10000.");
  const push = (key: string, value: string): void => {
    // PostgreSQL refuses NUL in text: reject it here so both stores answer the same 400.
    if (key.includes("\u0000") || value.includes("\u0000"))
      throw new BadRequestError(
        `The field "${key.split("\u0000").join("")}" contains a NUL character: remove it.`,
      );
    out.push({ key, lower: key.toLowerCase(), value });
  };
  if (obj === null || obj === undefined) {
    if (prefix) push(prefix, "");
    return;
  }
  if (Buffer.isBuffer(obj)) {
    push(prefix, obj.toString("utf8"));
    return;
  }
  if (Array.isArray(obj)) {
    obj.forEach((v, i) => {
      if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) flatten(v, `${prefix}.${i}`, out);
      else flatten(v, prefix, out);
    });
    return;
  }
  if (typeof obj === "object") {
    const entries = Object.entries(obj as Record<string, unknown>);
    if (entries.length === 0 && prefix) push(prefix, "");
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  push(prefix, String(obj));
}

export class Input {
  private readonly entries: Entry[] = [];

  constructor(body: unknown, query: unknown) {
    if (body !== undefined && body !== null) {
      if (typeof body !== "object" || Array.isArray(body))
        throw new BadRequestError("The request body must be a JSON object or a form: send key/value fields.");
      flatten(body, "", this.entries);
    }
    if (query && typeof query === "object") flatten(query, "", this.entries);
  }

  /** First value of `key` (case-insensitive), trimmed of nothing; "" when absent. */
  str(key: string): string {
    const k = key.toLowerCase();
    return this.entries.find((e) => e.lower === k)?.value ?? "";
  }

  has(key: string): boolean {
    const k = key.toLowerCase();
    return this.entries.some((e) => e.lower === k);
  }

  /** Every value of `key`, from repeated keys and from indexed keys (key.0, key.1, ...). */
  list(key: string): string[] {
    const k = key.toLowerCase();
    const direct = this.entries.filter((e) => e.lower === k).map((e) => e.value);
    const indexed = this.entries
      .map((e) => ({
        e,
        m: e.lower.startsWith(`${k}.`) ? /^(\d+)$/.exec(e.lower.slice(k.length + 1)) : null,
      }))
      .filter((x) => x.m)
      .sort((a, b) => Number(a.m![1]) - Number(b.m![1]))
      .map((x) => x.e.value);
    return [...direct, ...indexed].filter((v) => v !== "");
  }

  /** `prefix.k=v` pairs as a map; map keys keep their case. */
  map(prefix: string): Record<string, string> {
    const p = `${prefix.toLowerCase()}.`;
    const out: Record<string, string> = {};
    for (const e of this.entries) if (e.lower.startsWith(p)) out[e.key.slice(p.length)] = e.value;
    return out;
  }

  /** Indexed objects: Envs.0.Name/Envs.0.Value → [{name, value}] with lowercased field names. */
  objects(prefix: string): Record<string, string>[] {
    const p = `${prefix.toLowerCase()}.`;
    const byIndex = new Map<number, Record<string, string>>();
    for (const e of this.entries) {
      if (!e.lower.startsWith(p)) continue;
      const m = /^(\d+)\.(.+)$/.exec(e.lower.slice(p.length));
      if (!m) continue;
      const i = Number(m[1]);
      const o = byIndex.get(i) ?? {};
      o[m[2]!] = e.value;
      byIndex.set(i, o);
    }
    return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, o]) => o);
  }

  /** "" or absent → false; true/false/1/0 otherwise; anything else is a 400. */
  bool(key: string): boolean {
    return this.boolOrNull(key) ?? false;
  }

  /** Tri-state for "leave unchanged" fields: "" or absent → null. */
  boolOrNull(key: string): boolean | null {
    const v = this.str(key).trim().toLowerCase();
    if (v === "") return null;
    if (v === "true" || v === "1" || v === "yes" || v === "t") return true;
    if (v === "false" || v === "0" || v === "no" || v === "f") return false;
    throw new BadRequestError(`Invalid value for "${key}": use true or false.`);
  }

  int(key: string, dflt: number): number {
    const v = this.str(key).trim();
    if (v === "") return dflt;
    if (!/^-?\d{1,12}$/.test(v)) throw new BadRequestError(`Invalid value for "${key}": use an integer.`);
    return Number(v);
  }

  date(key: string): Date | null {
    const v = this.str(key).trim();
    if (v === "") return null;
    const d = new Date(v);
    if (Number.isNaN(d.getTime()))
      throw new BadRequestError(`Invalid date for "${key}": use RFC 3339, e.g. 2024-01-02T15:04:05Z.`);
    return d;
  }
}
