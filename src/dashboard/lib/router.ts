// A small history router under /dashboard/: paths are real URLs (a reload or a shared link
// opens the same page; the server answers the app shell for them), links are plain <a>.
import { useEffect, useState } from "preact/hooks";

export const BASE = "/dashboard";

const listeners = new Set<() => void>();

function notify(): void {
  for (const l of listeners) l();
}

/** The current path inside the dashboard ("/apps/hello"), without the base. */
export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p === "" ? "/" : p;
}

export function href(path: string): string {
  return `${BASE}${path.startsWith("/") ? path : `/${path}`}`;
}

export function navigate(path: string, replace = false): void {
  const url = href(path);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  notify();
  window.scrollTo(0, 0);
}

window.addEventListener("popstate", notify);

/** Same-origin clicks on dashboard links become navigations without a page load. */
document.addEventListener("click", (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = (ev.target as Element | null)?.closest?.("a");
  if (!a || a.target || a.hasAttribute("download")) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`)) return;
  ev.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) {
    history.pushState(null, "", url.pathname + url.search);
    notify();
    window.scrollTo(0, 0);
  }
});

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const l = () => setPath(currentPath());
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return path;
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
