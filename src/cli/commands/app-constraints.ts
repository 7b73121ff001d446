// `wharf app constraints [-a APP] [EXPR...]`: shows or replaces the app's placement
// constraints (Swarm expressions such as zone==a; `--clear` removes them all).
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { appOption, resolveApp, usageError } from "../options.js";
import { print } from "../output.js";

export function registerAppConstraints(program: Command): void {
  const app = program.commands.find((c) => c.name() === "app");
  if (!app) throw new Error("register the app topic before its constraints");
  appOption(
    app
      .command("constraints [expressions...]")
      .description("show or set where the app's units may run, e.g. zone==a storagedriver==~overlay2")
      .option("--clear", "remove every constraint"),
  ).action(async (exprs: string[], opts: { app?: string; clear?: boolean }, cmd: Command) => {
    const name = resolveApp(opts.app);
    if (opts.clear && exprs.length) throw usageError("--clear takes no expressions");
    if (!opts.clear && exprs.length === 0) {
      const body = await apiFor(cmd).getJson<{ constraints?: string[] }>("GET", `/apps/${name}/constraints`);
      const list = body?.constraints ?? [];
      print(list.length ? list.join("\n") : `App "${name}" has no placement constraints.`);
      return;
    }
    await apiFor(cmd).send("PUT", `/apps/${name}/constraints`, { form: { constraint: exprs } });
    print(opts.clear ? `Constraints of "${name}" removed.` : `Constraints of "${name}" set.`);
  });
}
