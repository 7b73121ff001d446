// `wharf unit autoscale set|info|unset -a APP -p PROCESS` (tsuru 1.9+'s unit-autoscale-*,
// on /1.9/apps/{app}/units/autoscale): keep a process between --min and --max units toward
// a CPU target (--cpu 60%, of one core, or 600m) and/or requests per second per unit (--rpu).
// Obvious mistakes are caught before anything is sent; the server checks the rest.
import type { Command } from "commander";
import { query } from "../client/http.js";
import { apiFor } from "../context.js";
import { appOption, jsonOption, resolveApp, usageError } from "../options.js";
import { emit, print, table } from "../output.js";

interface Spec {
  process: string;
  minUnits: number;
  maxUnits: number;
  averageCPU: string;
  requestsPerUnit?: number;
}

const VERSION = "1.9";

function count(v: string | undefined, flag: string): number {
  if (v === undefined) throw usageError(`${flag} is required: give a whole number of units, e.g. ${flag} 1`);
  if (!/^[1-9][0-9]{0,5}$/.test(v.trim()))
    throw usageError(`invalid ${flag} "${v}": give a whole number of at least 1`);
  return Number(v);
}

export function registerUnitAutoscale(program: Command): void {
  const unit = program.commands.find((c) => c.name() === "unit");
  if (!unit) throw new Error("register the unit topic before its autoscale commands");
  const auto = unit.command("autoscale").description("scale a process's units to its load automatically");

  appOption(
    auto
      .command("set")
      .description("keep a process between --min and --max units toward a CPU or requests-per-unit target")
      .requiredOption("-p, --process <name>", "the process")
      .option("--min <n>", "fewest units", "1")
      .option("--max <n>", "most units")
      .option(
        "--cpu <target>",
        "mean CPU per unit to aim for: percent of one core (60%) or milli-cores (600m)",
      )
      .option("--rpu <n>", "requests per second per unit to aim for"),
  ).action(
    async (
      opts: { app?: string; process: string; min?: string; max?: string; cpu?: string; rpu?: string },
      cmd: Command,
    ) => {
      const app = resolveApp(opts.app);
      const minUnits = count(opts.min, "--min");
      const maxUnits = count(opts.max, "--max");
      if (minUnits > maxUnits) throw usageError(`--min ${minUnits} is above --max ${maxUnits}`);
      if (!opts.cpu && !opts.rpu) throw usageError("give a target: --cpu 60% or --rpu 100 (or both)");
      const rpu = opts.rpu === undefined ? undefined : Number(opts.rpu);
      if (rpu !== undefined && !(rpu > 0))
        throw usageError(`invalid --rpu "${opts.rpu}": give requests per second, e.g. 100`);
      const spec: Spec = { process: opts.process, minUnits, maxUnits, averageCPU: opts.cpu ?? "" };
      if (rpu !== undefined) spec.requestsPerUnit = rpu;
      await apiFor(cmd).send("POST", `/apps/${app}/units/autoscale`, { json: spec, version: VERSION });
      print("Unit auto scale successfully set.");
    },
  );

  jsonOption(appOption(auto.command("info").description("show the app's autoscale settings"))).action(
    async (opts: { app?: string; json?: boolean }, cmd: Command) => {
      const app = resolveApp(opts.app);
      const list =
        (await apiFor(cmd).getJson<Spec[]>("GET", `/apps/${app}/units/autoscale`, { version: VERSION })) ??
        [];
      emit(opts, list, () =>
        list.length
          ? table(
              ["Process", "Min", "Max", "Target CPU", "Target requests/s per unit"],
              list.map((s) => [
                s.process,
                s.minUnits,
                s.maxUnits,
                s.averageCPU || "-",
                s.requestsPerUnit || "-",
              ]),
            )
          : `App "${app}" has no autoscale settings.`,
      );
    },
  );

  appOption(
    auto
      .command("unset")
      .description("stop autoscaling a process (its units stay as they are)")
      .requiredOption("-p, --process <name>", "the process"),
  ).action(async (opts: { app?: string; process: string }, cmd: Command) => {
    const app = resolveApp(opts.app);
    await apiFor(cmd).send("DELETE", `/apps/${app}/units/autoscale${query({ process: opts.process })}`, {
      version: VERSION,
    });
    print("Unit auto scale successfully unset.");
  });
}
