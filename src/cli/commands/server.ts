// `wharf server` runs the control plane; `wharf server init` creates the first admin and
// `wharf server reset-password` sets a user's password on the server machine. They load the server lazily so the everyday client commands never load fastify or a
// database driver.
import type { Command } from "commander";
import { print } from "../output.js";
import { askPassword } from "../prompt.js";
import { CliError } from "../errors.js";

interface ServerFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  databaseUrl?: string;
}

/** Flags override WHARF_* environment variables, which override the defaults. */
async function configFrom(flags: ServerFlags) {
  const { loadConfig } = await import("../../config/config.js");
  const overrides: Record<string, unknown> = {};
  if (flags.host) overrides.host = flags.host;
  if (flags.port) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new CliError(`invalid --port "${flags.port}": use a number from 0 to 65535`, 2);
    }
    overrides.port = port;
  }
  if (flags.dataDir) overrides.dataDir = flags.dataDir;
  if (flags.databaseUrl) overrides.databaseUrl = flags.databaseUrl;
  return loadConfig(process.env, overrides);
}

/**
 * `server` and `server init` share --data-dir/--database-url; commander hands a flag
 * given after `init` to whichever command parses it first, so read both.
 */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function storeFlags(cmd: Command): Command {
  return cmd
    .option("--data-dir <dir>", "where the SQLite database lives (env WHARF_DATA_DIR; default ~/.wharf)")
    .option(
      "--database-url <url>",
      "postgres://… to use PostgreSQL instead of SQLite (env WHARF_DATABASE_URL)",
    );
}

export function registerServer(program: Command): void {
  const server = storeFlags(
    program
      .command("server")
      .description("run the Wharf API server (tsuru-compatible) until interrupted")
      .option("--host <address>", "address to listen on (env WHARF_HOST; default 127.0.0.1)")
      .option("-p, --port <port>", "port to listen on (env WHARF_PORT; default 8080)"),
  ).action(async (flags: ServerFlags) => {
    const config = await configFrom(flags);
    const { startServer } = await import("../../server/index.js");
    const running = await startServer(config);
    process.stderr.write(`Wharf server listening on ${running.url}\n`);
    if (running.routerUrl) process.stderr.write(`Wharf router listening on ${running.routerUrl}\n`);
    if (running.dockerUrl) process.stderr.write(`Wharf docker endpoint listening on ${running.dockerUrl}\n`);
    // Close the store cleanly on Ctrl-C or a service manager's stop.
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await running.close();
  });

  storeFlags(
    server
      .command("init")
      .description("create the first admin user (password from a hidden prompt, or stdin)")
      .requiredOption("-e, --email <email>", "the admin's email"),
  ).action((own: ServerFlags & { email: string }, cmd: Command) =>
    withPasswordAndStore(own, cmd, "Admin password: ", async (store, password) => {
      const { initAdmin } = await import("../../server/index.js");
      const { created } = await initAdmin(store, own.email, password);
      print(
        created
          ? `Admin "${own.email}" created. Start the server with \`wharf server\`, then \`wharf login ${own.email}\`.`
          : `User "${own.email}" already exists; it holds the admin role (password unchanged).`,
      );
    }),
  );

  storeFlags(
    server
      .command("reset-password")
      .description(
        "set a user's password on the server machine (new password from a hidden prompt, or stdin); ends their sessions",
      )
      .requiredOption("-e, --email <email>", "the user's email"),
  ).action((own: ServerFlags & { email: string }, cmd: Command) =>
    withPasswordAndStore(own, cmd, "New password: ", async (store, password) => {
      const { resetPasswordOnHost } = await import("../../domain/services/password-reset.js");
      try {
        await resetPasswordOnHost(store, own.email, password);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      print(`Password of "${own.email}" changed; their login sessions were ended.`);
    }),
  );
}

/**
 * The server-machine commands that set a password: read it (confirmed on a terminal), open the
 * configured store, run `fn`, close the store.
 */
async function withPasswordAndStore(
  own: ServerFlags,
  cmd: Command,
  prompt: string,
  fn: (store: import("../../store/types.js").Store, password: string) => Promise<void>,
): Promise<void> {
  const flags = { ...definedOnly(cmd.parent?.opts<ServerFlags>() ?? {}), ...definedOnly(own) };
  const password = await askPassword(prompt);
  if (process.stdin.isTTY && (await askPassword("Confirm: ")) !== password) {
    throw new CliError("passwords didn't match; try again");
  }
  const config = await configFrom(flags);
  const { storeConfigFor } = await import("../../config/store-config.js");
  const { openStore } = await import("../../store/open.js");
  const store = await openStore(storeConfigFor(config));
  try {
    await fn(store, password);
  } finally {
    await store.close();
  }
}
