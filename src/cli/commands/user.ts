// `wharf user create|info|remove|list|change-password` (reference §4.1).
import type { Command } from "commander";
import { ApiError } from "../client/http.js";
import { apiFor } from "../context.js";
import { CliError } from "../errors.js";
import { emit, field, print, roleLabel, str, table } from "../output.js";
import { jsonOption, yesOption } from "../options.js";
import { askPassword, confirm } from "../prompt.js";

/** Query values are escaped, but `@` stays readable as in tsuru's hand-built query. */
function q(value: string | undefined): string {
  return encodeURIComponent(value ?? "").replace(/%40/g, "@");
}

function permissionLabel(p: unknown): string {
  const name = str(p, "Name") || "*";
  const ctx = [str(p, "ContextType"), str(p, "ContextValue")].filter(Boolean).join(" ");
  return `${name}(${ctx})`;
}

export function registerUser(program: Command): void {
  const user = program.command("user").description("manage users");

  user
    .command("create <email>")
    .description("create a user (password from a hidden prompt, or stdin)")
    .action(async (email: string, _opts: unknown, cmd: Command) => {
      const password = await askPassword("Password: ");
      if (process.stdin.isTTY) {
        const again = await askPassword("Confirm: ");
        if (again !== password) throw new CliError("passwords didn't match; try again");
      }
      try {
        await apiFor(cmd).send("POST", "/users", { form: { email, password } });
      } catch (err) {
        // tsuru's convention: the route missing means registration is switched off.
        if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
          throw new CliError("user creation is disabled on this server; ask an admin to create your user");
        }
        throw err;
      }
      print(`User "${email}" successfully created!`);
    });

  jsonOption(user.command("info").description("show the logged-in user, roles and permissions")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const info = await apiFor(cmd).getJson<unknown>("GET", "/users/info");
      emit(opts, info, () => {
        const roles = (field<unknown[]>(info, "Roles") ?? []).map(roleLabel);
        const perms = (field<unknown[]>(info, "Permissions") ?? []).map(permissionLabel);
        return [
          `Email: ${str(info, "Email")}`,
          roles.length ? `Roles:\n\t${roles.join("\n\t")}` : "",
          perms.length ? `Permissions:\n\t${perms.join("\n\t")}` : "",
        ]
          .filter(Boolean)
          .join("\n");
      });
    },
  );

  yesOption(user.command("remove [email]").description("remove a user (default: yourself)")).action(
    async (email: string | undefined, opts: { assumeYes?: boolean }, cmd: Command) => {
      const api = apiFor(cmd);
      const who = email ?? str(await api.getJson<unknown>("GET", "/users/info"), "Email");
      await confirm(`Are you sure you want to remove the user "${who}" from Wharf?`, opts.assumeYes);
      await api.send("DELETE", `/users?user=${encodeURIComponent(who)}`);
      print(`User "${who}" successfully removed.`);
    },
  );

  jsonOption(
    user
      .command("list")
      .description("list users")
      .option("-u, --user <email>", "only this user")
      .option("-r, --role <role>", "only users with this role")
      .option("-c, --context <value>", "with --role: only in this context value"),
  ).action(async (opts: { json?: boolean; user?: string; role?: string; context?: string }, cmd: Command) => {
    if (opts.context && !opts.role) throw new CliError("--context needs --role", 2);
    const users =
      (await apiFor(cmd).getJson<unknown[]>(
        "GET",
        `/users?userEmail=${q(opts.user)}&role=${q(opts.role)}&context=${q(opts.context)}`,
      )) ?? [];
    emit(opts, users, () =>
      table(
        ["User", "Roles"],
        users.map((u) => [str(u, "Email"), (field<unknown[]>(u, "Roles") ?? []).map(roleLabel).join("\n")]),
      ),
    );
  });

  user
    .command("change-password")
    .description("change your password (current, new and confirmation from prompts, or three words on stdin)")
    .action(async (_opts: unknown, cmd: Command) => {
      const old = await askPassword("Current password: ");
      const next = await askPassword("New password: ");
      const again = await askPassword("Confirm: ");
      if (next !== again) throw new CliError("the new password and its confirmation differ; try again");
      await apiFor(cmd).send("PUT", "/users/password", { form: { confirm: again, new: next, old } });
      print("Password successfully updated!");
    });
}
