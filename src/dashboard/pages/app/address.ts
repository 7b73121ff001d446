// Where a browser reaches an app: its router address (<app>.<domain>) on the port the
// router serves HTTP on, which GET /routers tells when the server runs the router itself.
import { useEffect, useState } from "preact/hooks";
import { list } from "../../api/client";
import type { AppInfo } from "../../api/types";

interface RouterEntry {
  name: string;
  info: Record<string, string>;
  default: boolean;
}

let routers: Promise<RouterEntry[]> | null = null;

export function appUrl(app: Pick<AppInfo, "ip">, rs: readonly RouterEntry[], routerName?: string): string {
  if (!app.ip) return "";
  const r = rs.find((x) => x.name === routerName) ?? rs.find((x) => x.default) ?? rs[0];
  const port = r?.info["HTTP port"] ?? "";
  return `http://${app.ip}${port && port !== "80" ? `:${port}` : ""}/`;
}

export function useRouterAddress(app: AppInfo | undefined): string {
  const [rs, setRs] = useState<RouterEntry[] | null>(null);
  useEffect(() => {
    routers ??= list<RouterEntry>("/routers").catch(() => {
      routers = null;
      return [];
    });
    let live = true;
    void routers.then((x) => live && setRs(x));
    return () => {
      live = false;
    };
  }, []);
  if (!app || !rs) return "";
  return appUrl(app, rs, (app as { router?: string }).router);
}
