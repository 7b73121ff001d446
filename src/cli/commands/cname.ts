// `wharf cname add|remove` (reference §4.8).
import type { Command } from "commander";
import { query } from "../client/http.js";
import { apiFor } from "../context.js";
import { print } from "../output.js";
import { appOption, resolveApp } from "../options.js";

export function registerCname(program: Command): void {
  const cname = program.command("cname").description("extra host names an app answers on");

  appOption(cname.command("add <cnames...>").description("add CNAMEs to an app")).action(
    async (cnames: string[], opts: { app?: string }, cmd: Command) => {
      const app = resolveApp(opts.app);
      await apiFor(cmd).send("POST", `/apps/${app}/cname`, { form: { cname: cnames } });
      print("cname successfully defined.");
    },
  );

  appOption(cname.command("remove <cnames...>").description("remove CNAMEs from an app")).action(
    async (cnames: string[], opts: { app?: string }, cmd: Command) => {
      const app = resolveApp(opts.app);
      await apiFor(cmd).send("DELETE", `/apps/${app}/cname${query({ cname: cnames })}`);
      print("cname successfully undefined.");
    },
  );
}
