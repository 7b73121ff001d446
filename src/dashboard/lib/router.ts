// A small history router under /dashboard/: paths are real URLs (a reload or a shared link
// opens the same page; the server answers the app shell for them), links are plain <a>.
import { useEffect, useState } from "preact/hooks";
import { BASE, href } from "./paths";

export { href, match } from "./paths";

const listeners = new Set<() => void>();

function notify(): void {
  for (const l of listeners) l();
}

/** The current path inside the dashboard ("/apps/hello"), without the base. */
export function currentPath(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return p === "" ? "/" : p;
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
