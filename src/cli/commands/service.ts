// `wharf service list|info|create|update|remove|doc|grant|revoke` (reference §4.10). A manifest
// (tsuru's service-create YAML: id, username, password, team, endpoint.production) is read from
// a file or "-" for stdin; its password is sent once and never printed.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parse } from "yaml";
import { apiFor } from "../context.js";
import { emit, field, print, str, table } from "../output.js";
import { jsonOption, usageError, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

const enc = encodeURIComponent;

/** The form tsuru's client sends for a manifest; only endpoint.production is used. */
export function manifestForm(text: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    throw usageError("the manifest is not valid YAML");
  }
  if (!doc || typeof doc !== "object")
    throw usageError("the manifest must be a YAML map with id, password, endpoint");
  const m = doc as Record<string, unknown>;
  const endpoint = m.endpoint as Record<string, unknown> | string | undefined;
  const production = typeof endpoint === "string" ? endpoint : endpoint?.production;
  return {
    endpoint: typeof production === "string" ? production : "",
    id: String(m.id ?? ""),
    password: String(m.password ?? ""),
    team: String(m.team ?? ""),
    username: String(m.username ?? ""),
  };
}

function readManifest(path: string): string {
  try {
    return readFileSync(path === "-" ? 0 : path, "utf8");
  } catch {
    throw usageError(`cannot read the manifest ${JSON.stringify(path)}`);
  }
}

export function registerService(program: Command): void {
  const service = program
    .command("service")
    .description("services: databases and other resources apps bind to");

  jsonOption(service.command("list").description("services and your instances of them")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const list = (await apiFor(cmd).getJson<unknown[]>("GET", "/services/instances")) ?? [];
      emit(opts, list, () =>
        table(
          ["Services", "Instances"],
          list.map((s) => [str(s, "service"), (field<string[]>(s, "instances") ?? []).join(", ")]),
        ),
      );
    },
  );

  jsonOption(
    service.command("info <service>").description("a service's instances, plans and documentation"),
  ).action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
    const api = apiFor(cmd);
    const instances = (await api.getJson<unknown[]>("GET", `/services/${enc(name)}`)) ?? [];
    const plans = (await api.getJson<unknown[]>("GET", `/services/${enc(name)}/plans`)) ?? [];
    const res = await api.request("GET", `/services/${enc(name)}/doc`);
    const doc = await res.body.text();
    emit(opts, { instances, plans, doc }, () => {
      const out = [`Info for "${name}"`, ""];
      if (instances.length) {
        const keys = [
          ...new Set(instances.flatMap((i) => Object.keys(field<object>(i, "Info") ?? {}))),
        ].sort();
        out.push(
          "Instances",
          table(
            ["Instances", "Plan", "Apps", "Teams", ...keys],
            instances.map((i) => [
              str(i, "Name"),
              str(i, "PlanName"),
              (field<string[]>(i, "Apps") ?? []).join(", "),
              (field<string[]>(i, "Teams") ?? []).join(", "),
              ...keys.map((k) => String((field<Record<string, string>>(i, "Info") ?? {})[k] ?? "")),
            ]),
          ),
        );
      }
      if (plans.length)
        out.push(
          "Plans",
          table(
            ["Name", "Description"],
            plans.map((p) => [str(p, "Name"), str(p, "Description")]),
          ),
        );
      if (doc.trim()) out.push("Documentation:", doc);
      return out.join("\n");
    });
  });

  service
    .command("create <manifest>")
    .description('register a service API from its manifest ("-" reads stdin)')
    .action(async (path: string, _o: unknown, cmd: Command) => {
      await apiFor(cmd).send("POST", "/services", { form: manifestForm(readManifest(path)) });
      print("Service successfully created");
    });

  service
    .command("update <manifest>")
    .description("update a service API from its manifest")
    .action(async (path: string, _o: unknown, cmd: Command) => {
      const form = manifestForm(readManifest(path));
      if (!form.id) throw usageError('the manifest has no "id"');
      await apiFor(cmd).send("PUT", `/services/${enc(form.id)}`, { form });
      print("Service successfully updated.");
    });

  yesOption(
    service.command("remove <service>").description("remove a service (it must have no instances)"),
  ).action(async (name: string, opts: { assumeYes?: boolean }, cmd: Command) => {
    await confirm(`Are you sure you want to remove the service "${name}"?`, opts.assumeYes);
    await apiFor(cmd).send("DELETE", `/services/${enc(name)}`);
    print(`Service "${name}" successfully removed.`);
  });

  const doc = service.command("doc").description("a service's documentation");
  doc.command("get <service>").action(async (name: string, _o: unknown, cmd: Command) => {
    const res = await apiFor(cmd).request("GET", `/services/${enc(name)}/doc`);
    print(await res.body.text());
  });
  doc
    .command("add <service> <file>")
    .action(async (name: string, file: string, _o: unknown, cmd: Command) => {
      await apiFor(cmd).send("PUT", `/services/${enc(name)}/doc`, { form: { doc: readManifest(file) } });
      print("Documentation for service successfully updated.");
    });

  for (const [verb, method] of [
    ["grant", "PUT"],
    ["revoke", "DELETE"],
  ] as const)
    service
      .command(`${verb} <service> <team>`)
      .description(`${verb} a team's access to a service`)
      .action(async (name: string, team: string, _o: unknown, cmd: Command) => {
        await apiFor(cmd).send(method, `/services/${enc(name)}/team/${enc(team)}`);
        print(
          `Access to service "${name}" ${verb === "grant" ? "granted to" : "revoked from"} team "${team}".`,
        );
      });
}
