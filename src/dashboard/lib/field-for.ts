// Which form field an API sentence is about ("Invalid app name ..." → name), so the
// dashboard can show the sentence next to that field.

export interface FieldMatcher {
  name: string;
  /** Which sentences are about this field (default: sentences naming it). */
  match?: RegExp;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The field an API sentence is about: the first whose matcher finds it, else none. */
export function fieldFor(message: string, fields: readonly FieldMatcher[]): string {
  for (const f of fields) {
    const re = f.match ?? new RegExp(`\\b${escapeRe(f.name)}\\b`, "i");
    if (re.test(message)) return f.name;
  }
  return "";
}
