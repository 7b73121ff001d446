// The route table: host → app entry. Readers get one immutable state object per lookup; writers build
// a new state and swap the reference in a single assignment, so a request never sees a half-applied
// update and nothing is reloaded or restarted.
import type { AppRoute, Backend, RouteSnapshot, RouteUpdate } from "./types.js";

/** An app as the proxy uses it: the route plus runtime objects for its backends. */
export interface AppEntry<B> {
  readonly route: AppRoute;
  readonly backends: readonly B[];
}

interface State<B> {
  readonly apps: ReadonlyMap<string, AppEntry<B>>;
  readonly cnames: ReadonlyMap<string, AppEntry<B>>;
  /**
   * Host header as received → result, for this state only (a swap starts a new one). Clients send the
   * same few Host values over and over; one lookup beats re-normalising the header per request.
   */
  readonly seen: Map<string, AppEntry<B> | null>;
}

/** Distinct Host values remembered per state; beyond it the memo starts over (a host scan cannot grow it). */
const SEEN_MAX = 4096;

export interface TableHooks<B> {
  /** Turn a backend description into its runtime object (reusing the existing one by id). */
  materialize(app: string, backend: Backend): B;
  /** Called after every swap with the backends still in use, so the rest can be closed. */
  retain?(live: ReadonlySet<B>): void;
}

export class RouteTable<B = Backend> {
  private state: State<B> = { apps: new Map(), cnames: new Map(), seen: new Map() };
  private readonly suffix: string;
  /** Bumped on every swap; lets tests and the propagation bench see that an update landed. */
  version = 0;

  constructor(
    domain: string,
    private readonly hooks: TableHooks<B>,
  ) {
    this.suffix = "." + domain.toLowerCase().replace(/^\.+/, "");
  }

  /** Host header (any case, optional :port) → app entry, or undefined. */
  resolve(hostHeader: string | undefined): AppEntry<B> | undefined {
    if (!hostHeader) return undefined;
    const seen = this.state.seen;
    const hit = seen.get(hostHeader);
    if (hit !== undefined) return hit ?? undefined;
    const entry = this.lookup(hostHeader);
    if (seen.size >= SEEN_MAX) seen.clear();
    seen.set(hostHeader, entry ?? null);
    return entry;
  }

  private lookup(hostHeader: string): AppEntry<B> | undefined {
    let host = hostHeader;
    // Strip the port, but keep IPv6 literals ("[::1]:80") intact up to their bracket.
    const colon = host.lastIndexOf(":");
    if (colon > host.lastIndexOf("]")) host = host.slice(0, colon);
    host = host.toLowerCase();
    if (host.endsWith(".")) host = host.slice(0, -1);
    const s = this.state;
    const byCname = s.cnames.get(host);
    if (byCname) return byCname;
    if (host.endsWith(this.suffix)) {
      const app = host.slice(0, host.length - this.suffix.length);
      return s.apps.get(app);
    }
    return undefined;
  }

  app(name: string): AppEntry<B> | undefined {
    return this.state.apps.get(name);
  }

  apps(): AppEntry<B>[] {
    return [...this.state.apps.values()];
  }

  snapshot(): RouteSnapshot {
    return { apps: this.apps().map((e) => e.route) };
  }

  /** Replace the whole table (initial load and resync). */
  applySnapshot(snap: RouteSnapshot): void {
    const routes = new Map<string, AppRoute>();
    for (const r of snap.apps) routes.set(r.app, normalize(r));
    this.swap(routes);
  }

  /** Apply incremental updates as one swap: all of them become visible together. */
  applyUpdates(updates: readonly RouteUpdate[]): void {
    const routes = new Map<string, AppRoute>();
    for (const [name, e] of this.state.apps) routes.set(name, e.route);
    for (const u of updates) applyOne(routes, u);
    this.swap(routes);
  }

  private swap(routes: Map<string, AppRoute>): void {
    const prev = this.state.apps;
    const apps = new Map<string, AppEntry<B>>();
    const cnames = new Map<string, AppEntry<B>>();
    const live = new Set<B>();
    for (const [name, route] of routes) {
      const old = prev.get(name);
      // Unchanged routes keep their entry object, so in-flight balancer state is not disturbed.
      const entry: AppEntry<B> =
        old && old.route === route
          ? old
          : { route, backends: route.backends.map((b) => this.hooks.materialize(name, b)) };
      apps.set(name, entry);
      for (const b of entry.backends) live.add(b);
      for (const c of route.cnames ?? []) cnames.set(c, entry);
    }
    this.state = { apps, cnames, seen: new Map() };
    this.version++;
    this.hooks.retain?.(live);
  }
}

function normalize(r: AppRoute): AppRoute {
  return {
    ...r,
    backends: [...r.backends],
    cnames: (r.cnames ?? []).map((c) => c.toLowerCase().replace(/\.$/, "")),
  };
}

function applyOne(routes: Map<string, AppRoute>, u: RouteUpdate): void {
  switch (u.op) {
    case "set-app":
      routes.set(u.route.app, normalize(u.route));
      return;
    case "remove-app":
      routes.delete(u.app);
      return;
  }
  // The remaining ops modify an app; create it empty when unknown so updates can arrive in any order.
  const cur = routes.get(u.app) ?? { app: u.app, backends: [], cnames: [] };
  switch (u.op) {
    case "add-backend":
      routes.set(
        u.app,
        normalize({ ...cur, backends: [...cur.backends.filter((b) => b.id !== u.backend.id), u.backend] }),
      );
      return;
    case "remove-backend":
      routes.set(u.app, normalize({ ...cur, backends: cur.backends.filter((b) => b.id !== u.id) }));
      return;
    case "set-cnames":
      routes.set(u.app, normalize({ ...cur, cnames: u.cnames }));
      return;
    case "set-settings": {
      const next: AppRoute = { ...cur };
      if (u.healthcheckPath !== undefined) {
        if (u.healthcheckPath === null) delete next.healthcheckPath;
        else next.healthcheckPath = u.healthcheckPath;
      }
      if (u.httpsRedirect !== undefined) next.httpsRedirect = u.httpsRedirect;
      routes.set(u.app, normalize(next));
      return;
    }
  }
}
