// `wharf unit add|remove N [-a APP] [-p PROCESS]` (reference §4.8): change how many
// units (containers) a process runs; the server streams the progress.
import type { Command } from "commander";
import { query } from "../client/http.js";
import { apiFor } from "../context.js";
import { appOption, resolveApp, usageError } from "../options.js";
import { print } from "../output.js";

interface UnitOptions {
  app?: string;
  process: string;
}

/** A unit count: a whole number of at least 1, checked before anything is sent. */
export function unitCount(n: string): string {
  if (!/^[1-9][0-9]{0,5}$/.test(n.trim())) {
    throw usageError(`invalid number of units "${n}": give a whole number of at least 1, e.g. 2`);
  }
  return n.trim();
}

function processOption(cmd: Command): Command {
  return cmd.option(
    "-p, --process <name>",
    "the Procfile process (may be left out when the app has only one)",
    "",
  );
}

export function registerUnit(program: Command): void {
  const unit = program.command("unit").description("scale an app: add or remove units (containers)");

  processOption(appOption(unit.command("add <n>").description("add N units to a process"))).action(
    async (n: string, opts: UnitOptions, cmd: Command) => {
      const units = unitCount(n);
      const app = resolveApp(opts.app);
      await apiFor(cmd).stream("PUT", `/apps/${app}/units`, { form: { process: opts.process, units } });
      print("Units successfully added!");
    },
  );

  processOption(appOption(unit.command("remove <n>").description("remove N units from a process"))).action(
    async (n: string, opts: UnitOptions, cmd: Command) => {
      const units = unitCount(n);
      const app = resolveApp(opts.app);
      await apiFor(cmd).stream("DELETE", `/apps/${app}/units${query({ process: opts.process, units })}`);
      print("Units successfully removed!");
    },
  );
}
