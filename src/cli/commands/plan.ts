// `wharf plan list|create|remove` (reference §4.5).
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, megabytes, print, str, table } from "../output.js";
import { jsonOption, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

export function registerPlan(program: Command): void {
  const plan = program.command("plan").description("resource plans (memory, swap, CPU share) for apps");

  jsonOption(
    plan.command("list").description("list plans").option("-b, --bytes", "show memory and swap in bytes"),
  ).action(async (opts: { json?: boolean; bytes?: boolean }, cmd: Command) => {
    const plans = (await apiFor(cmd).getJson<unknown[]>("GET", "/plans")) ?? [];
    emit(opts, plans, () =>
      plans.length === 0
        ? "No plans available."
        : table(
            ["Name", "Memory", "Swap", "CPU Share", "Default"],
            plans.map((p) => [
              str(p, "name"),
              megabytes(field<number>(p, "memory"), opts.bytes),
              megabytes(field<number>(p, "swap"), opts.bytes),
              str(p, "cpushare"),
              String(field(p, "default") === true),
            ]),
          ),
    );
  });

  plan
    .command("create <name>")
    .description("create a plan; memory and swap take 128M, 1G or bytes")
    .requiredOption("-c, --cpushare <n>", "relative CPU share")
    .option("-m, --memory <size>", "memory limit", "0")
    .option("-s, --swap <size>", "swap limit", "0")
    .option("-d, --default", "use this plan when an app names none")
    .action(
      async (
        name: string,
        opts: { cpushare: string; memory: string; swap: string; default?: boolean },
        cmd: Command,
      ) => {
        // Sizes go as typed (`128M`): the server parses them, as tsuru's does.
        await apiFor(cmd).send("POST", "/plans", {
          form: {
            cpushare: opts.cpushare,
            default: String(!!opts.default),
            memory: opts.memory,
            name,
            swap: opts.swap,
          },
        });
        print(`Plan successfully created!`);
      },
    );

  yesOption(plan.command("remove <name>").description("remove a plan")).action(
    async (name: string, opts: { assumeYes?: boolean }, cmd: Command) => {
      await confirm(`Are you sure you want to remove plan "${name}"?`, opts.assumeYes);
      await apiFor(cmd).send("DELETE", `/plans/${name}`);
      print(`Plan successfully removed!`);
    },
  );
}
