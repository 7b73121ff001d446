// The app shell: the login gate, the navigation (only what the user's roles open), and the
// page for the current path.
import { useEffect, useLayoutEffect, useState } from "preact/hooks";
import { api, session } from "./api/client";
import { can, canGlobally, loadMe, type Me } from "./api/me";
import { href, match, navigate, usePath } from "./lib/router";
import { ErrorText, Loading } from "./components/ui";
import { LoginPage } from "./pages/login";
import { AppsPage, appsRequests } from "./pages/apps";
import { AppPage, appRequest } from "./pages/app";
import { NodesPage } from "./pages/nodes";
import { NodePage } from "./pages/node";
import { PoolsPage } from "./pages/pools";
import { PlatformsPage } from "./pages/platforms";
import { PlansPage } from "./pages/plans";
import { TeamsPage } from "./pages/teams";
import { UsersPage } from "./pages/users";
import { EventsPage } from "./pages/events";
import { EventPage } from "./pages/event";
import { ServicesPage } from "./pages/services";
import { errorText } from "./api/client";

interface NavItem {
  path: string;
  label: string;
  show(me: Me): boolean;
}

const NAV: NavItem[] = [
  { path: "/apps", label: "Apps", show: () => true },
  { path: "/services", label: "Services", show: () => true },
  { path: "/events", label: "Events", show: () => true },
  { path: "/teams", label: "Teams", show: () => true },
  { path: "/nodes", label: "Nodes", show: (me) => can(me, "node.read") },
  { path: "/pools", label: "Pools", show: () => true },
  { path: "/platforms", label: "Platforms", show: () => true },
  { path: "/plans", label: "Plans", show: () => true },
  {
    path: "/users",
    label: "Users & roles",
    show: (me) => canGlobally(me, "user.read") || canGlobally(me, "role.read"),
  },
];

/**
 * The GETs the page at `path` sends first, sent early beside GET /users/info on a cold load
 * (main.tsx) so the page's data does not wait for the user's answer and the shell's render.
 */
export function firstRequests(path: string): string[] {
  let m: Record<string, string> | null;
  if (path === "/" || path === "/apps") return Object.values(appsRequests());
  if ((m = match("/apps/:name/:tab?", path))) return [appRequest(m.name!)];
  return [];
}

function Page({ path, me }: { path: string; me: Me }) {
  let m: Record<string, string> | null;
  if (path === "/" || path === "/apps") return <AppsPage me={me} />;
  if ((m = match("/apps/:name/:tab?", path)))
    return <AppPage me={me} name={m.name!} tab={m.tab ?? "overview"} />;
  if (path === "/nodes") return <NodesPage me={me} />;
  if ((m = match("/nodes/:address", path))) return <NodePage me={me} address={m.address!} />;
  if (path === "/pools") return <PoolsPage me={me} />;
  if (path === "/platforms") return <PlatformsPage me={me} />;
  if (path === "/plans") return <PlansPage me={me} />;
  if (path === "/teams") return <TeamsPage me={me} />;
  if (path === "/users") return <UsersPage me={me} />;
  if (path === "/events") return <EventsPage />;
  if ((m = match("/events/:id", path))) return <EventPage id={m.id!} />;
  if (path === "/services") return <ServicesPage me={me} />;
  return (
    <div>
      <h1>Page not found</h1>
      <p>
        The dashboard has no page at this address. <a href={href("/apps")}>Go to the apps</a>.
      </p>
    </div>
  );
}

function Shell({ me, path }: { me: Me; path: string }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const [leaving, setLeaving] = useState("");
  useEffect(() => setMenuOpen(false), [path]);
  const logout = async () => {
    setLeaving("Logging out…");
    try {
      await api("DELETE", "/users/tokens");
    } catch (e) {
      // The token is dropped here whatever the API said: the user asked to leave.
      setLeaving(errorText(e));
    }
    session.clear();
    navigate("/", true);
  };
  const current = "/" + (path.split("/")[1] ?? "");
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href("/apps")}>
          Wharf
        </a>
        <button
          type="button"
          class="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="nav" aria-label="Main" class={menuOpen ? "open" : ""}>
          <ul>
            {NAV.filter((n) => n.show(me)).map((n) => (
              <li key={n.path}>
                <a
                  href={href(n.path)}
                  aria-current={
                    current === n.path || (n.path === "/apps" && current === "/") ? "page" : undefined
                  }
                >
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class="email" title="Signed in as">
            {me.Email}
          </span>
          <button type="button" onClick={logout}>
            Log out
          </button>
        </div>
      </header>
      {leaving ? <p role="status">{leaving}</p> : null}
      <main id="main" tabIndex={-1}>
        <Page path={path} me={me} />
      </main>
    </div>
  );
}

export function App() {
  const path = usePath();
  const [token, setToken] = useState(session.token());
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState("");
  useEffect(() => session.subscribe(() => setToken(session.token())), []);
  // Asked at once (a layout effect, not the next frame): every page waits for it.
  useLayoutEffect(() => {
    setMe(null);
    setError("");
    if (!token) return;
    const ac = new AbortController();
    loadMe(ac.signal).then(setMe, (e: unknown) => {
      if (!ac.signal.aborted) setError(errorText(e));
    });
    return () => ac.abort();
  }, [token]);
  // Each page names itself in the title, so history and tabs tell pages apart.
  useEffect(() => {
    const part = path
      .split("/")
      .filter(Boolean)
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s; // a mistyped escape in the address bar names no page, but must not crash
        }
      });
    document.title = part.length ? `${part.slice(0, 2).join(" · ")} — Wharf` : "Wharf";
  }, [path]);

  if (!token) return <LoginPage />;
  if (error)
    return (
      <main id="main" class="center">
        <ErrorText error={error} />
        <button type="button" onClick={() => session.clear()}>
          Log in again
        </button>
      </main>
    );
  if (!me)
    return (
      <main id="main" class="center">
        <Loading what="your account" />
      </main>
    );
  return <Shell me={me} path={path} />;
}
