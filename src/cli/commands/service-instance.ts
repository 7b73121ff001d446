// `wharf service instance add|update|remove|info|status|bind|unbind` (reference §4.10).
import type { Command } from "commander";
import { query, type FormFields } from "../client/http.js";
import { apiFor } from "../context.js";
import { emit, field, print, str } from "../output.js";
import { appOption, collect, jsonOption, parseKeyValues, resolveApp, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

const enc = encodeURIComponent;
const path = (s: string, i: string) => `/services/${enc(s)}/instances/${enc(i)}`;

/** tsuru's instance-add form: parameters.k=v per --plan-param, `parameters=` when none. */
export function instanceAddForm(
  name: string,
  o: { plan?: string; team?: string; description?: string; tag: string[]; planParam: string[] },
): FormFields {
  const form: FormFields = {
    description: o.description ?? "",
    name,
    owner: o.team ?? "",
    plan: o.plan ?? "",
    tag: o.tag,
  };
  const params = parseKeyValues(o.planParam, "--plan-param");
  if (Object.keys(params).length === 0) form.parameters = "";
  for (const [k, v] of Object.entries(params)) form[`parameters.${k}`] = v;
  return form;
}

export function registerServiceInstance(program: Command): void {
  const service = program.commands.find((c) => c.name() === "service")!;
  const inst = service.command("instance").description("instances of a service, and binding them to apps");

  inst
    .command("add <service> <instance> [plan]")
    .description("create an instance")
    .option("-t, --team <team>", "the team that owns the instance")
    .option("-d, --description <text>", "a description")
    .option("-g, --tag <tag>", "a tag (repeat for more)", collect, [])
    .option("--plan-param <k=v>", "a parameter for the provider (repeat for more)", collect, [])
    .action(async (svc: string, name: string, plan: string | undefined, o, cmd: Command) => {
      await apiFor(cmd).send("POST", `/services/${enc(svc)}/instances`, {
        form: instanceAddForm(name, { ...o, plan }),
      });
      print("Service instance successfully created.");
    });

  inst
    .command("update <service> <instance>")
    .description("change an instance's description, plan, team or tags")
    .option("-t, --team <team>", "new owner team")
    .option("-d, --description <text>", "new description")
    .option("-p, --plan <plan>", "new plan")
    .option("-g, --tag <tag>", "tags (replace the current ones)", collect, [])
    .action(async (svc: string, name: string, o, cmd: Command) => {
      await apiFor(cmd).send("PUT", path(svc, name), {
        form: { description: o.description ?? "", plan: o.plan ?? "", tag: o.tag, teamowner: o.team ?? "" },
      });
      print("Service instance successfully updated.");
    });

  yesOption(
    inst
      .command("remove <service> <instance>")
      .description("remove an instance (a built-in service keeps its data volume unless --purge)")
      .option("-f, --force", "unbind every app bound to it first")
      .option("--ignore-errors", "remove it here even when its provider fails")
      .option("--purge", "delete its data too (built-in services: the instance's volume)"),
  ).action(
    async (
      svc: string,
      name: string,
      o: { force?: boolean; assumeYes?: boolean; ignoreErrors?: boolean; purge?: boolean },
      cmd: Command,
    ) => {
      const what = o.purge ? `the instance "${name}" and all its data` : `the instance "${name}"`;
      await confirm(`Are you sure you want to remove ${what}?`, o.assumeYes);
      const q = query({
        unbindall: o.force ? "true" : "false",
        ignoreerrors: o.ignoreErrors ? "true" : "false",
        purge: o.purge ? "true" : "false",
      });
      await apiFor(cmd).stream("DELETE", `${path(svc, name)}${q}`);
    },
  );

  for (const [verb, method, done] of [
    ["grant", "PUT", "was granted access to"],
    ["revoke", "DELETE", "no longer has access to"],
  ] as const)
    inst
      .command(`${verb} <service> <instance> <team>`)
      .description(`${verb} a team's use of an instance`)
      .action(async (svc: string, name: string, team: string, _o: unknown, cmd: Command) => {
        await apiFor(cmd).send(
          method,
          `/services/${enc(svc)}/instances/permission/${enc(name)}/${enc(team)}`,
        );
        print(`Team "${team}" ${done} service instance "${name}".`);
      });

  jsonOption(inst.command("info <service> <instance>").description("an instance's details")).action(
    async (svc: string, name: string, o: { json?: boolean }, cmd: Command) => {
      const info = await apiFor(cmd).getJson<Record<string, unknown>>("GET", path(svc, name));
      emit(o, info, () => {
        const custom = field<Record<string, string>>(info, "CustomInfo") ?? {};
        return [
          `Service: ${svc}`,
          `Instance: ${name}`,
          `Apps: ${(field<string[]>(info, "Apps") ?? []).join(", ")}`,
          `Teams: ${(field<string[]>(info, "Teams") ?? []).join(", ")}`,
          `Team Owner: ${str(info, "TeamOwner")}`,
          `Description: ${str(info, "Description")}`,
          `Tags: ${(field<string[]>(info, "Tags") ?? []).join(", ")}`,
          `Plan: ${str(info, "PlanName")}`,
          `Plan description: ${str(info, "PlanDescription")}`,
          ...Object.keys(custom)
            .sort()
            .map((k) => `${k}: ${custom[k]}`),
        ].join("\n");
      });
    },
  );

  inst
    .command("status <service> <instance>")
    .description("the provider's status of an instance")
    .action(async (svc: string, name: string, _o: unknown, cmd: Command) => {
      const res = await apiFor(cmd).request("GET", `${path(svc, name)}/status`);
      print(`Status: ${await res.body.text()}`);
    });

  appOption(
    inst
      .command("bind <service> <instance>")
      .description("bind an app: the provider's variables become its private env (the app restarts)")
      .option("--no-restart", "do not restart the app"),
  ).action(async (svc: string, name: string, o: { app?: string; restart: boolean }, cmd: Command) => {
    const app = resolveApp(o.app);
    await apiFor(cmd).stream("PUT", `${path(svc, name)}/${enc(app)}`, {
      form: { noRestart: o.restart ? "false" : "true" },
    });
  });

  appOption(
    inst
      .command("unbind <service> <instance>")
      .description("unbind an app: removes the variables the bind added (the app restarts)")
      .option("--no-restart", "do not restart the app")
      .option("--force", "carry on even if the provider fails"),
  ).action(
    async (
      svc: string,
      name: string,
      o: { app?: string; restart: boolean; force?: boolean },
      cmd: Command,
    ) => {
      const app = resolveApp(o.app);
      const q = query({ force: o.force ? "true" : "false", noRestart: o.restart ? "false" : "true" });
      await apiFor(cmd).stream("DELETE", `${path(svc, name)}/${enc(app)}${q}`);
    },
  );
}
