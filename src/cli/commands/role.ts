// `wharf role ...` and `wharf permission list` (reference §4.4).
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, permissionNames, print, str, table } from "../output.js";
import { jsonOption, usageError, yesOption } from "../options.js";
import { confirm } from "../prompt.js";
import { queryEscape } from "../client/http.js";

const CONTEXTS = ["global", "app", "team", "pool", "iaas", "service", "service-instance"];

function roleRows(roles: unknown[]): string {
  return table(
    ["Role", "Context", "Permissions", "Description"],
    roles.map((r) => [
      str(r, "name"),
      str(r, "context"),
      permissionNames(field(r, "scheme_names")),
      str(r, "Description"),
    ]),
  );
}

/** role assign/dissociate take an email or a team token id; `@` tells them apart. */
function binding(role: string, who: string): { path: string; version: string; key: string } {
  return who.includes("@")
    ? { path: `/roles/${role}/user`, version: "1.0", key: "email" }
    : { path: `/roles/${role}/token`, version: "1.6", key: "token_id" };
}

export function registerRole(program: Command): void {
  const role = program
    .command("role")
    .description("manage roles: named sets of permissions bound to a context");

  role
    .command("add <name> <context>")
    .description(`create a role; context is one of ${CONTEXTS.join(", ")}`)
    .option("-d, --description <text>", "what the role is for", "")
    .action(async (name: string, context: string, opts: { description: string }, cmd: Command) => {
      if (!CONTEXTS.includes(context))
        throw usageError(`invalid context "${context}": use one of ${CONTEXTS.join(", ")}`);
      await apiFor(cmd).send("POST", "/roles", { form: { context, description: opts.description, name } });
      print(`Role successfully created!`);
    });

  jsonOption(role.command("list").description("list roles")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const roles = (await apiFor(cmd).getJson<unknown[]>("GET", "/roles")) ?? [];
      emit(opts, roles, () => roleRows(roles));
    },
  );

  jsonOption(role.command("info <name>").description("show a role")).action(
    async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const r = await apiFor(cmd).getJson<unknown>("GET", `/roles/${name}`);
      emit(opts, r, () => roleRows(r ? [r] : []));
    },
  );

  yesOption(role.command("remove <name>").description("remove a role")).action(
    async (name: string, opts: { assumeYes?: boolean }, cmd: Command) => {
      await confirm(`Are you sure you want to remove role "${name}"?`, opts.assumeYes);
      await apiFor(cmd).send("DELETE", `/roles/${name}`);
      print(`Role successfully removed!`);
    },
  );

  const perm = role.command("permission").description("add or remove permissions of a role");
  perm
    .command("add <role> <permission...>")
    .description("add permissions (dotted names such as app.deploy) to a role")
    .action(async (name: string, permissions: string[], _opts: unknown, cmd: Command) => {
      await apiFor(cmd).send("POST", `/roles/${name}/permissions`, { form: { permission: permissions } });
      print(`Permission successfully added!`);
    });
  perm
    .command("remove <role> <permission>")
    .description("remove a permission from a role")
    .action(async (name: string, permission: string, _opts: unknown, cmd: Command) => {
      await apiFor(cmd).send("DELETE", `/roles/${name}/permissions/${permission}`);
      print(`Permission successfully removed!`);
    });

  role
    .command("assign <role> <email-or-token-id> [context-value]")
    .description("give a role to a user (email) or a team token (token id) in a context")
    .action(async (name: string, who: string, context: string | undefined, _opts: unknown, cmd: Command) => {
      const b = binding(name, who);
      await apiFor(cmd).send("POST", b.path, {
        version: b.version,
        form: { context: context ?? "", [b.key]: who },
      });
      print(`Role successfully assigned!`);
    });

  role
    .command("dissociate <role> <email-or-token-id> [context-value]")
    .description("take a role back from a user or a team token")
    .action(async (name: string, who: string, context: string | undefined, _opts: unknown, cmd: Command) => {
      const b = binding(name, who);
      await apiFor(cmd).send("DELETE", `${b.path}/${who}?context=${queryEscape(context ?? "")}`, {
        version: b.version,
      });
      print(`Role successfully dissociated!`);
    });

  const permission = program.command("permission").description("the permission tree roles are built from");
  jsonOption(
    permission.command("list").description("list every permission and the contexts it applies to"),
  ).action(async (opts: { json?: boolean }, cmd: Command) => {
    const perms = (await apiFor(cmd).getJson<unknown[]>("GET", "/permissions")) ?? [];
    emit(opts, perms, () =>
      table(
        ["Name", "Contexts"],
        // The root permission has the empty name; tsuru shows it as `*`.
        perms.map((p) => [str(p, "Name") || "*", (field<string[]>(p, "Contexts") ?? []).join(", ")]),
      ),
    );
  });
}
