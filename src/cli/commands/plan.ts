// `wharf plan list` (reference §4.5).
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, megabytes, str, table } from "../output.js";
import { jsonOption } from "../options.js";

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
}
