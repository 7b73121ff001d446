// `wharf pool add|list|update|remove`, `pool teams add|remove`, `pool constraint
// list|set` (reference §4.5).
import type { Command } from "commander";
import { ApiError, type FormFields } from "../client/http.js";
import type { ApiClient } from "../client/http.js";
import { apiFor } from "../context.js";
import { emit, field, lines, print, str, table } from "../output.js";
import { boolChoice, jsonOption, usageError, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

const CONSTRAINT_FIELDS = ["team", "router", "service", "plan"];

function kind(pool: unknown): string {
  if (field(pool, "public") === true) return "public";
  if (field(pool, "default") === true) return "default";
  return "";
}

/**
 * tsuru asks before replacing the default pool: the server answers 412 and the client
 * repeats the request with force=true once the user agrees.
 */
async function withDefaultPrompt(
  api: ApiClient,
  method: string,
  path: string,
  form: FormFields,
  name: string,
) {
  try {
    await api.send(method, path, { form });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 412)) throw err;
    await confirm(`A default pool already exists. Make "${name}" the default pool instead?`, false, "-f");
    await api.send(method, path, { form: { ...form, force: "true" } });
  }
}

export function registerPool(program: Command): void {
  const pool = program.command("pool").description("manage pools: groups of nodes apps are placed on");

  pool
    .command("add <name>")
    .description("create a pool")
    .option("-p, --public", "any team may use the pool")
    .option("-d, --default", "apps without a pool go here")
    .option("-f, --force", "replace the current default pool")
    .option("--provisioner <name>", "the provisioner for the pool's nodes", "")
    .action(
      async (
        name: string,
        opts: { public?: boolean; default?: boolean; force?: boolean; provisioner: string },
        cmd: Command,
      ) => {
        const form = {
          default: String(!!opts.default),
          force: String(!!opts.force),
          name,
          provisioner: opts.provisioner,
          public: String(!!opts.public),
        };
        await withDefaultPrompt(apiFor(cmd), "POST", "/pools", form, name);
        print("Pool successfully registered.");
      },
    );

  jsonOption(pool.command("list").description("list pools")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const pools = (await apiFor(cmd).getJson<unknown[]>("GET", "/pools")) ?? [];
      emit(opts, pools, () =>
        table(
          ["Pool", "Kind", "Provisioner", "Teams", "Routers", "External images"],
          pools.map((p) => {
            const allowed = field(p, "allowed");
            return [
              str(p, "name"),
              kind(p),
              str(p, "provisioner") || "default",
              kind(p) ? "" : (field<string[]>(allowed, "team") ?? []).join(", "),
              (field<string[]>(allowed, "router") ?? []).join(", "),
              (field<string[]>(p, "imageAllowList") ?? []).join(", ") || "any",
            ];
          }),
        ),
      );
    },
  );

  pool
    .command("update <name>")
    .description("change whether a pool is public or the default, or which external images it allows")
    .addOption(boolChoice("--public <bool>", "make the pool public (true) or not (false)"))
    .addOption(boolChoice("--default <bool>", "make the pool the default (true) or not (false)"))
    .option("-f, --force", "replace the current default pool")
    .option(
      "--image-allow <pattern...>",
      "only these external images may be deployed (registry/path or registry/prefix*); --image-allow '' allows any",
    )
    .action(
      async (
        name: string,
        opts: { public?: string; default?: string; force?: boolean; imageAllow?: string[] },
        cmd: Command,
      ) => {
        // Empty means "leave unchanged" to the server.
        const form: Record<string, string | string[]> = {
          default: opts.default ?? "",
          force: String(!!opts.force),
          public: opts.public ?? "",
        };
        if (opts.imageAllow) form["image-allowlist"] = opts.imageAllow;
        await withDefaultPrompt(apiFor(cmd), "PUT", `/pools/${name}`, form, name);
        print("Pool successfully updated.");
      },
    );

  yesOption(pool.command("remove <name>").description("remove a pool (it must have no apps)")).action(
    async (name: string, opts: { assumeYes?: boolean }, cmd: Command) => {
      await confirm(`Are you sure you want to remove "${name}" pool?`, opts.assumeYes);
      await apiFor(cmd).send("DELETE", `/pools/${name}`);
      print("Pool successfully removed.");
    },
  );

  const teams = pool.command("teams").description("which teams may use a pool");
  teams
    .command("add <pool> <team...>")
    .description("allow teams to use a pool")
    .action(async (name: string, teamNames: string[], _opts: unknown, cmd: Command) => {
      await apiFor(cmd).send("POST", `/pools/${name}/team`, { form: { team: teamNames } });
      print("Teams successfully registered.");
    });
  teams
    .command("remove <pool> <team...>")
    .description("stop teams from using a pool")
    .action(async (name: string, teamNames: string[], _opts: unknown, cmd: Command) => {
      const qs = teamNames.map((t) => `team=${encodeURIComponent(t)}`).join("&");
      await apiFor(cmd).send("DELETE", `/pools/${name}/team?${qs}`);
      print("Teams successfully removed.");
    });

  const constraint = pool
    .command("constraint")
    .description("rules for which teams, routers, services, plans a pool allows");
  jsonOption(constraint.command("list").description("list pool constraints")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const cs = (await apiFor(cmd).getJson<unknown[]>("GET", "/constraints", { version: "1.3" })) ?? [];
      emit(opts, cs, () =>
        table(
          ["Pool Expression", "Field", "Values", "Blacklist"],
          cs.map((c) => [
            str(c, "PoolExpr"),
            str(c, "Field"),
            lines(field(c, "Values")),
            String(!!field(c, "Blacklist")),
          ]),
        ),
      );
    },
  );
  constraint
    .command("set <pool-expr> <field> [values...]")
    .description(`set a constraint; field is one of ${CONSTRAINT_FIELDS.join(", ")}; no values removes it`)
    .option("-b, --blacklist", "the values are forbidden instead of allowed")
    .option("-a, --append", "add the values to the existing constraint")
    .action(
      async (
        poolExpr: string,
        fieldName: string,
        values: string[],
        opts: { blacklist?: boolean; append?: boolean },
        cmd: Command,
      ) => {
        if (!CONSTRAINT_FIELDS.includes(fieldName)) {
          throw usageError(`invalid field "${fieldName}": use one of ${CONSTRAINT_FIELDS.join(", ")}`);
        }
        // tsuru accepts `a,b` as well as separate arguments.
        const all = values.flatMap((v) => v.split(",")).filter(Boolean);
        const form: FormFields = {
          Blacklist: opts.blacklist ? "true" : "",
          Field: fieldName,
          PoolExpr: poolExpr,
          append: String(!!opts.append),
        };
        all.forEach((v, i) => (form[`Values.${i}`] = v));
        await apiFor(cmd).send("PUT", "/constraints", { version: "1.3", form });
        print("Constraint successfully set.");
      },
    );
}
