// `wharf app start|stop|restart [-p PROCESS]` and `wharf app run CMD...` (reference
// §4.7): operations on an app's running units, each relaying the server's stream.
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { appOption, resolveApp, usageError } from "../options.js";
import { print } from "../output.js";

const LIFECYCLE = [
  { name: "start", done: "started", what: "start the app's units (all processes, or -p)" },
  { name: "stop", done: "stopped", what: "stop the app's units; they stay stopped until started" },
  { name: "restart", done: "restarted", what: "replace the app's units with fresh ones, as a deploy does" },
] as const;

export function registerAppOps(program: Command): void {
  const app = program.commands.find((c) => c.name() === "app");
  if (!app) throw new Error("register the app topic before its operations");

  for (const op of LIFECYCLE) {
    appOption(
      app
        .command(op.name)
        .description(op.what)
        .option("-p, --process <name>", "only this Procfile process", ""),
    ).action(async (opts: { app?: string; process: string }, cmd: Command) => {
      const name = resolveApp(opts.app);
      await apiFor(cmd).stream("POST", `/apps/${name}/${op.name}`, { form: { process: opts.process } });
      print(`App "${name}" has been ${op.done}${opts.process ? ` (process ${opts.process})` : ""}.`);
    });
  }

  appOption(
    app
      .command("run <command...>")
      .description(
        "run a command in the app's units and show its output (put the command after -- when it has flags)",
      )
      .option("-o, --once", "run it in one unit only")
      .option("-i, --isolated", "run it in a new throwaway container from the app's image"),
  ).action(
    async (words: string[], opts: { app?: string; once?: boolean; isolated?: boolean }, cmd: Command) => {
      const command = words.join(" ");
      if (!command.trim()) throw usageError("give the command to run, e.g. wharf app run -a APP -- ls -la");
      const name = resolveApp(opts.app);
      await apiFor(cmd).stream("POST", `/apps/${name}/run`, {
        form: { command, isolated: String(!!opts.isolated), once: String(!!opts.once) },
      });
    },
  );
}
