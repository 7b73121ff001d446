// `wharf token create|list|info|update|remove`: team tokens (reference §4.3). Token
// values are shown once, on create or regenerate, and masked everywhere else.
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, formatTime, print, str, table } from "../output.js";
import { jsonOption, usageError } from "../options.js";

function seconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw usageError(`invalid --expires "${value}": give whole seconds`);
  return n;
}

/** Lists never echo token values: a masked copy for both table and --json. */
function redact(token: unknown): unknown {
  if (typeof token !== "object" || token === null) return token;
  const copy = { ...(token as Record<string, unknown>) };
  if (typeof copy.token === "string" && copy.token !== "") copy.token = "***";
  return copy;
}

function roles(token: unknown): string {
  return (field<unknown[]>(token, "roles") ?? [])
    .map((r) => `${str(r, "name")}(${str(r, "contextvalue")})`)
    .join("\n");
}

function render(tokens: unknown[]): string {
  return table(
    ["Token ID", "Team", "Description", "Creator", "Expires", "Last access", "Roles"],
    tokens.map((t) => [
      str(t, "token_id"),
      str(t, "team"),
      str(t, "description"),
      str(t, "creator_email"),
      formatTime(str(t, "expires_at")) || "-",
      formatTime(str(t, "last_access")) || "-",
      roles(t),
    ]),
  );
}

export function registerToken(program: Command): void {
  const token = program.command("token").description("manage team tokens (API credentials for automation)");

  token
    .command("create")
    .description("create a team token; its value is printed once")
    .option("--id <id>", "the token id (default: generated)")
    .option("-t, --team <team>", "the team that owns the token")
    .option("-d, --description <text>", "what the token is for")
    .option("-e, --expires <seconds>", "lifetime in seconds")
    .action(
      async (opts: { id?: string; team?: string; description?: string; expires?: string }, cmd: Command) => {
        const body: Record<string, unknown> = {};
        if (opts.id) body.token_id = opts.id;
        if (opts.description) body.description = opts.description;
        const exp = seconds(opts.expires);
        if (exp) body.expires_in = exp;
        if (opts.team) body.team = opts.team;
        const created = await apiFor(cmd).getJson<unknown>("POST", "/tokens", {
          version: "1.6",
          json: body,
          accept: "application/json",
        });
        // The one place a token value is printed: the user asked for a new credential.
        print(`Token "${str(created, "token_id")}" created: ${str(created, "token")}`);
      },
    );

  jsonOption(token.command("list").description("list team tokens (values masked)")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const tokens = (
        (await apiFor(cmd).getJson<unknown[]>("GET", "/tokens", {
          version: "1.6",
          accept: "application/json",
        })) ?? []
      ).map(redact);
      emit(opts, tokens, () => render(tokens));
    },
  );

  jsonOption(token.command("info <id>").description("show a team token (value masked)")).action(
    async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const t = redact(
        await apiFor(cmd).getJson<unknown>("GET", `/tokens/${id}`, {
          version: "1.7",
          accept: "application/json",
        }),
      );
      emit(opts, t, () => (t ? render([t]) : ""));
    },
  );

  token
    .command("update <id>")
    .description("change a token's description or expiry, or regenerate its value")
    .option("--regenerate", "issue a new value (printed once)")
    .option("-d, --description <text>", "new description")
    .option("-e, --expires <seconds>", "new lifetime in seconds; negative removes the expiry")
    .action(
      async (
        id: string,
        opts: { regenerate?: boolean; description?: string; expires?: string },
        cmd: Command,
      ) => {
        const body: Record<string, unknown> = {};
        if (opts.regenerate) body.regenerate = true;
        if (opts.description) body.description = opts.description;
        const exp = seconds(opts.expires);
        if (exp) body.expires_in = exp;
        const t = await apiFor(cmd).getJson<unknown>("PUT", `/tokens/${id}`, {
          version: "1.6",
          json: body,
          accept: "application/json",
        });
        print(opts.regenerate ? `Token "${id}" updated: ${str(t, "token")}` : `Token "${id}" updated.`);
      },
    );

  token
    .command("remove <id>")
    .description("delete a team token")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      await apiFor(cmd).send("DELETE", `/tokens/${id}`, { version: "1.6", accept: "*/*" });
      print(`Token "${id}" removed.`);
    });
}
