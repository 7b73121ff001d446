// The dashboard's URLs under /dashboard/ and matching them against page patterns (pure: the
// history side is router.ts).

export const BASE = "/dashboard";

export function href(path: string): string {
  return `${BASE}${path.startsWith("/") ? path : `/${path}`}`;
}

/** Matches "/apps/:name/:tab?" against a path: the params, or null. Segments are URL-decoded. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split("/").filter(Boolean);
  const xs = path.split("/").filter(Boolean);
  const out: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    const x = xs[i];
    if (p.startsWith(":")) {
      const optional = p.endsWith("?");
      const name = p.slice(1, optional ? -1 : undefined);
      if (x === undefined) {
        if (!optional) return null;
        continue;
      }
      try {
        out[name] = decodeURIComponent(x);
      } catch {
        return null;
      }
    } else if (p !== x) return null;
  }
  return xs.length <= ps.length ? out : null;
}
