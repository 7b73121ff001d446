// `wharf app deploy list` and `wharf app deploy rollback VERSION` (reference §4.7).
// They hang under `app deploy`, whose own -a is parsed first, so the app is read from
// the merged options of the command chain.
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, formatDuration, formatTime, print, str, table } from "../output.js";
import { appOption, jsonOption, resolveApp, usageError, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

/** Newest first, as tsuru shows them. */
export function sortDeploys(deploys: unknown[]): unknown[] {
  const t = (d: unknown) => Date.parse(str(d, "Timestamp")) || 0;
  return [...deploys].sort((a, b) => t(b) - t(a));
}

export function renderDeploys(deploys: unknown[]): string {
  return table(
    ["Image (Rollback)", "Origin", "User", "Date (Duration)", "Error"],
    deploys.map((d) => {
      const commit = str(d, "Commit").slice(0, 7);
      const origin = str(d, "Origin") === "git" ? `git (${commit})` : str(d, "Origin");
      const image = `${str(d, "Image")}${field(d, "CanRollback") === true ? " (*)" : ""}`;
      // Durations are nanoseconds on the wire (reference §1.6).
      const ns = Number(field(d, "Duration"));
      const duration = Number.isFinite(ns) && ns > 0 ? ` (${formatDuration(ns / 1e6)})` : "";
      return [
        image,
        origin,
        str(d, "User"),
        `${formatTime(str(d, "Timestamp"))}${duration}`,
        str(d, "Error"),
      ];
    }),
    { separateRows: true },
  );
}

export function registerDeployHistory(deploy: Command): void {
  jsonOption(
    appOption(
      deploy.command("list").description("list an app's last 10 deploys, newest first; (*) = can roll back"),
    ),
  ).action(async (_opts: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<{ app?: string; json?: boolean }>();
    const app = resolveApp(opts.app);
    // Hand-built like tsuru's client: the app name goes in raw.
    const deploys = await apiFor(cmd).getJson<unknown[]>("GET", `/deploys?app=${app}&limit=10`);
    if (deploys === undefined && !opts.json) return print(`App ${app} has no deploy.`);
    const sorted = sortDeploys(deploys ?? []);
    emit(opts, sorted, () => renderDeploys(sorted));
  });

  yesOption(
    appOption(
      deploy
        .command("rollback <version>")
        .description(
          "serve an earlier version again (a version such as v2, or its image), with the current env",
        ),
    ),
  ).action(async (version: string, _opts: unknown, cmd: Command) => {
    const opts = cmd.optsWithGlobals<{ app?: string; assumeYes?: boolean }>();
    if (!version.trim())
      throw usageError("give the version to roll back to, e.g. v2 (see `wharf app deploy list`)");
    const app = resolveApp(opts.app);
    await confirm(`Are you sure you want to rollback app "${app}" to image "${version}"?`, opts.assumeYes);
    await apiFor(cmd).stream("POST", `/apps/${app}/deploy/rollback`, {
      form: { image: version, origin: "rollback" },
    });
  });
}
