// `wharf router`: flags, then src/server/router.ts runs the router until interrupted.
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
      const { startRouter, RouterSettingsError } = await import("../../server/router.js");
      const overrides: { dataDir?: string; databaseUrl?: string } = {};
      if (flags.dataDir) overrides.dataDir = flags.dataDir;
      if (flags.databaseUrl) overrides.databaseUrl = flags.databaseUrl;
      const running = await startRouter(envFrom(flags), overrides, {
        accessLog: flags.accessLog === true,
      }).catch((err: unknown) => {
        throw err instanceof RouterSettingsError ? new CliError(err.message, 2) : err;
      });
      process.stderr.write(`${running.banner}\n`);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await running.close();
    });
}
