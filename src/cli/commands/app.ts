// `wharf app create|list|info|update|remove|grant|revoke|link` (reference §4.7).
import type { Command } from "commander";
import { query, type FormFields } from "../client/http.js";
import { apiFor } from "../context.js";
import { CliError } from "../errors.js";
import { emit, field, formatTime, megabytes, print, str, table } from "../output.js";
import {
  appOption,
  collect,
  jsonOption,
  linkApp,
  parseKeyValues,
  resolveApp,
  yesOption,
} from "../options.js";
import { confirm } from "../prompt.js";
import { renderUnits } from "./unit-table.js";

type Obj = Record<string, unknown>;

/** "2 started, 1 stopped": units with an ID, grouped by status (tsuru's app-list). */
export function unitSummary(app: unknown): string {
  if (str(app, "error")) return "error fetching units";
  const counts = new Map<string, number>();
  for (const u of field<unknown[]>(app, "units") ?? []) {
    if (!str(u, "ID")) continue;
    const s = str(u, "Status");
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  return [...counts].map(([s, n]) => `${n} ${s}`).join("\n");
}

/** CNAMEs first, then each router's address (or `ip` when there are no routers). */
export function appAddresses(app: unknown): string[] {
  const out = [...(field<string[]>(app, "cname") ?? [])];
  const routers = field<unknown[]>(app, "routers") ?? [];
  if (routers.length) for (const r of routers) out.push(str(r, "address"));
  else if (str(app, "ip")) out.push(str(app, "ip"));
  return out.filter(Boolean);
}

export function renderAppInfo(app: unknown, extra: { quota?: unknown; services?: unknown[] }): string {
  const teams = field<string[]>(app, "teams") ?? [];
  const owner = str(app, "teamowner");
  const units = (field<unknown[]>(app, "units") ?? []).filter((u) => str(u, "ID"));
  const out: string[] = [
    `Application: ${str(app, "name")}`,
    `Description: ${str(app, "description")}`,
    `Tags: ${(field<string[]>(app, "tags") ?? []).join(", ")}`,
    `Platform: ${str(app, "platform")}`,
  ];
  if (!(field<unknown[]>(app, "routers") ?? []).length && str(app, "router")) {
    out.push(`Router: ${str(app, "router")}`);
  }
  out.push(
    `Teams: ${teams.map((t) => (t === owner ? `${t} (owner)` : t)).join(", ")}`,
    `Address: ${appAddresses(app).join(", ")}`,
    `Owner: ${str(app, "owner")}`,
    `Team owner: ${owner}`,
    `Deploys: ${str(app, "deploys") || "0"}`,
    `Pool: ${str(app, "pool")}`,
  );
  if (extra.quota !== undefined) {
    const limit = Number(field(extra.quota, "limit") ?? 0);
    out.push(`Quota: ${str(extra.quota, "inuse") || "0"}/${limit > 0 ? limit : "unlimited"} units`);
  }
  const capacity = field(app, "capacity");
  if (capacity && Number(field(capacity, "missing")) > 0) {
    out.push(
      `Capacity: ${str(capacity, "missing")} unit(s) missing since ${formatTime(str(capacity, "since"))}: ${str(capacity, "reason")}`,
    );
  }
  const lock = field(app, "lock");
  if (field(lock, "Locked") === true) {
    out.push(`Lock:\n Acquired by: ${str(lock, "Owner")}\n Reason: ${str(lock, "Reason")}`);
  }
  if (str(app, "error")) out.push(`Error: ${str(app, "error")}`);
  if (units.length) {
    out.push("", renderUnits(units));
  }
  const plan = field(app, "plan");
  if (
    plan &&
    (Number(field(plan, "memory")) || Number(field(plan, "swap")) || Number(field(plan, "cpushare")))
  ) {
    out.push(
      "",
      "App Plan:",
      table(
        ["Name", "Memory", "Swap", "CPU Share"],
        [
          [
            str(plan, "name"),
            megabytes(field(plan, "memory")),
            megabytes(field(plan, "swap")),
            str(plan, "cpushare"),
          ],
        ],
      ).trimEnd(),
    );
  }
  if (extra.services?.length) {
    const names = extra.services.flatMap((s) =>
      (field<string[]>(s, "instances") ?? []).map((i) => `${str(s, "service")}: ${i}`),
    );
    if (names.length) out.push("", `Service instances: ${names.length}`, ...names.map((n) => `  ${n}`));
  }
  return out.join("\n");
}

export function registerApp(program: Command): void {
  const app = program.command("app").description("manage applications");

  app
    .command("create <name> [platform]")
    .description("create an app (platform may carry a version, e.g. python:v2)")
    .option("-p, --plan <plan>", "the plan (default: the server's default plan)", "")
    .option("-r, --router <router>", "the router", "")
    .option("-t, --team <team>", "the owning team (required when you belong to several)", "")
    .option("-o, --pool <pool>", "the pool (default: the default pool)", "")
    .option("-d, --description <text>", "a description", "")
    .option("-g, --tag <tag>", "a tag (repeatable)", collect, [])
    .option("--router-opts <key=value>", "a router option (repeatable)", collect, [])
    .action(
      async (
        name: string,
        platform: string | undefined,
        opts: {
          plan: string;
          router: string;
          team: string;
          pool: string;
          description: string;
          tag: string[];
          routerOpts: string[];
        },
        cmd: Command,
      ) => {
        // Every key is sent even when empty, as tsuru's client does (`routeropts=`).
        const form: FormFields = {
          description: opts.description,
          name,
          plan: opts.plan,
          platform: platform ?? "",
          pool: opts.pool,
          router: opts.router,
          teamOwner: opts.team,
        };
        if (opts.tag.length) form.tag = opts.tag;
        const ro = parseKeyValues(opts.routerOpts, "router option");
        if (Object.keys(ro).length === 0) form.routeropts = "";
        for (const [k, v] of Object.entries(ro)) form[`routeropts.${k}`] = v;
        const res = await apiFor(cmd).getJson<Obj>("POST", "/apps", { form });
        print(`App "${name}" has been created!`);
        if (str(res, "repository_url")) {
          print(
            `Use app info to check the status of the app and its units.\nYour repository for "${name}" project is "${str(res, "repository_url")}"`,
          );
        }
      },
    );

  jsonOption(
    app
      .command("list")
      .description("list the apps you can see")
      .option("-n, --name <name>", "filter by name")
      .option("-o, --pool <pool>", "filter by pool")
      .option("-s, --status <status>", "filter by unit status")
      .option("-p, --platform <platform>", "filter by platform")
      .option("-t, --team <team>", "filter by owning team")
      .option("-u, --user <email>", "filter by owner (`me` for yourself)")
      .option("-l, --locked", "only locked apps")
      .option("-g, --tag <tag>", "filter by tag (repeatable)", collect, [])
      .option("-q, --quiet", "print names only"),
  ).action(
    async (
      opts: {
        json?: boolean;
        name?: string;
        pool?: string;
        status?: string;
        platform?: string;
        team?: string;
        user?: string;
        locked?: boolean;
        tag: string[];
        quiet?: boolean;
      },
      cmd: Command,
    ) => {
      const api = apiFor(cmd);
      let owner = opts.user;
      if (owner === "me") owner = str(await api.getJson<unknown>("GET", "/users/info"), "Email");
      // Empty filters are left out: no filters gives `GET /1.0/apps?` like tsuru.
      const q: FormFields = {};
      if (opts.locked) q.locked = "true";
      if (opts.name) q.name = opts.name;
      if (owner) q.owner = owner;
      if (opts.platform) q.platform = opts.platform;
      if (opts.pool) q.pool = opts.pool;
      if (opts.status) q.status = opts.status;
      if (opts.tag.length) q.tag = opts.tag;
      if (opts.team) q.teamOwner = opts.team;
      if (opts.quiet) q.simplified = "true";
      const apps = (await api.getJson<unknown[]>("GET", `/apps${query(q)}`)) ?? [];
      emit(opts, apps, () => {
        if (opts.quiet) return apps.map((a) => str(a, "name")).join("\n");
        return table(
          ["Application", "Units", "Address"],
          apps.map((a) => [str(a, "name"), unitSummary(a), appAddresses(a).join("\n")]),
        );
      });
    },
  );

  jsonOption(
    appOption(app.command("info").description("show an app: platform, teams, address, units, plan")),
  ).action(async (opts: { json?: boolean; app?: string }, cmd: Command) => {
    const name = resolveApp(opts.app);
    const api = apiFor(cmd);
    const info = await api.getJson<unknown>("GET", `/apps/${name}`);
    if (info === undefined) return;
    if (opts.json) return emit(opts, info, () => "");
    // Quota and services add detail; a server without them still shows the app.
    const quota = await api.getJson<unknown>("GET", `/apps/${name}/quota`).catch(() => undefined);
    const services = await api
      .getJson<unknown[]>("GET", `/services/instances?app=${encodeURIComponent(name)}`)
      .catch(() => undefined);
    print(renderAppInfo(info, { quota, services }));
  });

  appOption(
    app
      .command("update")
      .description("change an app's description, plan, pool, team owner, platform or tags")
      .option("-d, --description <text>", "new description", "")
      .option("-p, --plan <plan>", "new plan", "")
      .option("-o, --pool <pool>", "new pool", "")
      .option("-t, --team-owner <team>", "new owning team", "")
      .option("-l, --platform <platform>", "new platform", "")
      .option("-i, --image-reset", "build the next deploy from the platform image again")
      .option("-g, --tag <tag>", "tags (repeatable; replace the current tags)", collect, []),
  ).action(
    async (
      opts: {
        app?: string;
        description: string;
        plan: string;
        pool: string;
        teamOwner: string;
        platform: string;
        imageReset?: boolean;
        tag: string[];
      },
      cmd: Command,
    ) => {
      const name = resolveApp(opts.app);
      // All keys but `tag` always go; empty means unchanged.
      const form: FormFields = {
        description: opts.description,
        imageReset: String(!!opts.imageReset),
        plan: opts.plan,
        platform: opts.platform,
        pool: opts.pool,
        teamOwner: opts.teamOwner,
      };
      if (opts.tag.length) form.tag = opts.tag;
      await apiFor(cmd).stream("PUT", `/apps/${name}`, { form });
      print(`App "${name}" has been updated!`);
    },
  );

  yesOption(
    appOption(app.command("remove").description("remove an app, its units, routes and bindings")),
  ).action(async (opts: { app?: string; assumeYes?: boolean }, cmd: Command) => {
    const name = resolveApp(opts.app);
    await confirm(`Are you sure you want to remove app "${name}"?`, opts.assumeYes);
    await apiFor(cmd).stream("DELETE", `/apps/${name}`);
    print(`App "${name}" has been removed!`);
  });

  appOption(app.command("grant <team>").description("give a team access to an app")).action(
    async (team: string, opts: { app?: string }, cmd: Command) => {
      const name = resolveApp(opts.app);
      await apiFor(cmd).send("PUT", `/apps/${name}/teams/${team}`);
      print(`Team "${team}" was added to the "${name}" app`);
    },
  );

  appOption(app.command("revoke <team>").description("take a team's access to an app away")).action(
    async (team: string, opts: { app?: string }, cmd: Command) => {
      const name = resolveApp(opts.app);
      await apiFor(cmd).send("DELETE", `/apps/${name}/teams/${team}`);
      print(`Team "${team}" was removed from the "${name}" app`);
    },
  );

  app
    .command("link <name>")
    .description("make this directory default to an app (writes .wharf/app), so -a can be left out")
    .action((name: string) => {
      if (!/^[a-z][a-z0-9-]{0,39}$/.test(name)) {
        throw new CliError(`invalid app name "${name}": use lowercase letters, digits and dashes`, 2);
      }
      const file = linkApp(name);
      print(`This directory is now linked to app "${name}" (${file}).`);
    });
}
