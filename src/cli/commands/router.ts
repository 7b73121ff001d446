// `wharf router`: Wharf's HTTP router as its own process. It reads the same configuration as
// `wharf server` (data dir or WHARF_DATABASE_URL), opens the store and follows routes and
// certificates through the change feed. Several routers may run against one store.
import type { Command } from "commander";
import { CliError } from "../errors.js";

interface RouterFlags {
  host?: string;
  port?: string;
  tlsPort?: string;
  adminPort?: string;
  workers?: string;
  dataDir?: string;
  databaseUrl?: string;
  accessLog?: boolean;
}

/** Flags become the WHARF_ROUTER_* variables they override, so one parser validates both. */
function envFrom(flags: RouterFlags): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (flags.host) env.WHARF_ROUTER_HOST = flags.host;
  if (flags.port) env.WHARF_ROUTER_PORT = flags.port;
  if (flags.tlsPort) env.WHARF_ROUTER_TLS_PORT = flags.tlsPort;
  if (flags.adminPort) env.WHARF_ROUTER_ADMIN_PORT = flags.adminPort;
  if (flags.workers) env.WHARF_ROUTER_WORKERS = flags.workers;
  return env;
}

export function registerRouter(program: Command): void {
  program
    .command("router")
    .description("run Wharf's HTTP router (reads routes from the server's store) until interrupted")
    .option("--host <address>", "address for the HTTP/HTTPS ports (env WHARF_ROUTER_HOST; default 0.0.0.0)")
    .option("-p, --port <port>", "HTTP port (env WHARF_ROUTER_PORT; default 8000)")
    .option(
      "--tls-port <port|off>",
      "HTTPS port with SNI certificates (env WHARF_ROUTER_TLS_PORT; default 8443)",
    )
    .option(
      "--admin-port <port|off>",
      "metrics and /healthz on 127.0.0.1 (env WHARF_ROUTER_ADMIN_PORT; default 8001)",
    )
    .option("--workers <n|auto>", "serving processes (env WHARF_ROUTER_WORKERS; default auto = one per core)")
    .option("--access-log", "log every request as JSON on stdout")
    .option(
      "--data-dir <dir>",
      "where the server's SQLite database lives (env WHARF_DATA_DIR; default ~/.wharf)",
    )
    .option("--database-url <url>", "postgres://… when the server uses PostgreSQL (env WHARF_DATABASE_URL)")
    .action(async (flags: RouterFlags) => {
      const env = envFrom(flags);
      const [{ loadConfig }, { openStore }, { storeConfigFor }, { routerSettingsFromEnv, startStoreRouter }] =
        await Promise.all([
          import("../../config/config.js"),
          import("../../store/open.js"),
          import("../../config/store-config.js"),
          import("../../router/store-router.js"),
        ]);
      const { routerDomain } = await import("../../router/embedded.js");
      const { secretKeyPath } = await import("../../router/secret-box.js");
      const { loadRouteSnapshot } = await import("../../store/routes.js");
      const { default: pino } = await import("pino");
      const overrides: Record<string, unknown> = {};
      if (flags.dataDir) overrides.dataDir = flags.dataDir;
      if (flags.databaseUrl) overrides.databaseUrl = flags.databaseUrl;
      const config = loadConfig(env, overrides);
      let settings;
      try {
        settings = routerSettingsFromEnv(env, {
          http: { host: "0.0.0.0", port: 8000 },
          https: { host: "0.0.0.0", port: 8443 },
          admin: { host: "127.0.0.1", port: 8001 },
          workers: (await import("node:os")).availableParallelism(),
        });
      } catch (err) {
        throw new CliError((err as Error).message, 2);
      }
      const log = pino({ name: "wharf-router", level: config.logLevel });
      const store = await openStore(storeConfigFor(config));
      let router;
      try {
        router = await startStoreRouter({
          ...settings,
          store,
          domain: routerDomain(config),
          secretKeyPath: secretKeyPath(config.dataDir, env),
          loadSnapshot: () => loadRouteSnapshot(store),
          log,
          accessLog: flags.accessLog === true,
          // PostgreSQL pushes changes (LISTEN/NOTIFY); another process's SQLite commits are only
          // seen by polling, so poll often: one indexed SELECT per interval keeps routes within 50 ms.
          pollIntervalMs: Number(env.WHARF_ROUTER_POLL_MS) || (store.kind === "sqlite" ? 20 : 1000),
        });
      } catch (err) {
        await store.close();
        throw err;
      }
      const a = router.addresses;
      process.stderr.write(
        `Wharf router (${router.workers} worker${router.workers === 1 ? "" : "s"}) for *.${routerDomain(config)}: ` +
          `http :${a.http?.port}` +
          (a.https ? `, https :${a.https.port}` : "") +
          (a.admin ? `, metrics 127.0.0.1:${a.admin.port}/metrics` : "") +
          "\n",
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      // Drain in-flight requests, then release the store.
      await router.close();
      await store.close();
    });
}
