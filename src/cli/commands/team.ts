// `wharf team create|list|info|update|remove` (reference §4.2; JSON bodies like the
// generated go-tsuruclient).
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, lines, permissionNames, print, roleLabel, str, table } from "../output.js";
import { collect, jsonOption, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

export function registerTeam(program: Command): void {
  const team = program.command("team").description("manage teams");

  team
    .command("create <name>")
    .description("create a team; you become a member")
    .option("-t, --tag <tag>", "a tag for the team (repeatable)", collect, [])
    .action(async (name: string, opts: { tag: string[] }, cmd: Command) => {
      const body: { name: string; tags?: string[] } = { name };
      if (opts.tag.length) body.tags = opts.tag;
      await apiFor(cmd).send("POST", "/teams", { json: body, accept: "*/*" });
      print(`Team "${name}" successfully created!`);
    });

  jsonOption(team.command("list").description("list the teams you can see")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const teams =
        (await apiFor(cmd).getJson<unknown[]>("GET", "/teams", { accept: "application/json" })) ?? [];
      emit(opts, teams, () =>
        table(
          ["Team", "Permissions", "Tags"],
          teams.map((t) => [
            str(t, "name"),
            permissionNames(field(t, "permissions")),
            lines(field(t, "tags")),
          ]),
        ),
      );
    },
  );

  jsonOption(team.command("info <name>").description("show a team's users, pools and apps")).action(
    async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const info = await apiFor(cmd).getJson<unknown>("GET", `/teams/${name}`, { version: "1.4" });
      emit(opts, info, () => {
        const users = field<unknown[]>(info, "users") ?? [];
        const pools = field<unknown[]>(info, "pools") ?? [];
        const apps = field<unknown[]>(info, "apps") ?? [];
        return [
          `Team: ${str(info, "name")}`,
          `Tags: ${(field<string[]>(info, "tags") ?? []).join(", ")}`,
          "",
          `Users: ${users.length}`,
          users.length
            ? table(
                ["User", "Roles"],
                users.map((u) => [
                  str(u, "Email"),
                  (field<unknown[]>(u, "Roles") ?? []).map(roleLabel).join("\n"),
                ]),
              )
            : "",
          `Pools: ${pools.length}`,
          pools.length
            ? table(
                ["Pool"],
                pools.map((p) => [str(p, "name")]),
              )
            : "",
          `Applications: ${apps.length}`,
          apps.length
            ? table(
                ["Application", "Pool"],
                apps.map((a) => [str(a, "name"), str(a, "pool")]),
              )
            : "",
        ].join("\n");
      });
    },
  );

  team
    .command("update <name>")
    .description("rename a team or replace its tags")
    .option("-n, --new-name <name>", "the new name")
    .option("-t, --tag <tag>", "a tag (repeatable; replaces the tags)", collect, [])
    .action(async (name: string, opts: { newName?: string; tag: string[] }, cmd: Command) => {
      const body: { newname?: string; tags?: string[] } = {};
      if (opts.newName) body.newname = opts.newName;
      if (opts.tag.length) body.tags = opts.tag;
      await apiFor(cmd).send("PUT", `/teams/${name}`, { version: "1.6", json: body, accept: "*/*" });
      print(`Team "${name}" successfully updated!`);
    });

  yesOption(team.command("remove <name>").description("remove a team (it must own nothing)")).action(
    async (name: string, opts: { assumeYes?: boolean }, cmd: Command) => {
      await confirm(`Are you sure you want to remove team "${name}"?`, opts.assumeYes);
      await apiFor(cmd).send("DELETE", `/teams/${name}`, { accept: "*/*" });
      print(`Team "${name}" successfully removed!`);
    },
  );
}
