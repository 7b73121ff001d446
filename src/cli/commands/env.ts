// `wharf env get|set|unset` (reference §4.8). Private values never reach the screen:
// tsuru shows them as `*** (private variable)` and so do we, in --json too.
import type { Command } from "commander";
import { query, type FormFields } from "../client/http.js";
import { apiFor } from "../context.js";
import { emit, MASK } from "../output.js";
import { appOption, jsonOption, parseAssignments, resolveApp, usageError } from "../options.js";

export interface EnvVar {
  name: string;
  value: string;
  alias?: string;
  public: boolean;
}

export function maskEnv(vars: EnvVar[]): EnvVar[] {
  return vars
    .map((v) => (v.public ? v : { ...v, value: MASK }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function renderEnv(vars: EnvVar[]): string {
  return maskEnv(vars)
    .map((v) => `${v.name}=${v.value}`)
    .join("\n");
}

/** ajg/form encoding of tsuru's {Envs:[{Name,Value}],NoRestart,Private}. */
export function envSetForm(
  assignments: Array<{ name: string; value: string }>,
  privateVars: boolean,
  noRestart: boolean,
) {
  const form: FormFields = { NoRestart: noRestart ? "true" : "", Private: privateVars ? "true" : "" };
  assignments.forEach((a, i) => {
    form[`Envs.${i}.Name`] = a.name;
    form[`Envs.${i}.Value`] = a.value;
  });
  return form;
}

export function registerEnv(program: Command): void {
  const env = program.command("env").description("an app's environment variables");

  jsonOption(
    appOption(env.command("get [names...]").description("show variables (private values masked)")),
  ).action(async (names: string[], opts: { json?: boolean; app?: string }, cmd: Command) => {
    const app = resolveApp(opts.app);
    const vars =
      (await apiFor(cmd).getJson<EnvVar[]>(
        "GET",
        `/apps/${app}/env${query(names.length ? { env: names } : {})}`,
      )) ?? [];
    const masked = maskEnv(vars);
    emit(opts, masked, () => renderEnv(vars));
  });

  appOption(
    env
      .command("set <assignments...>")
      .description("set variables: NAME=value ... (the app restarts unless --no-restart)")
      .option("-p, --private", "store as private: the value is never shown again")
      .option("--no-restart", "do not restart the app"),
  ).action(
    async (args: string[], opts: { app?: string; private?: boolean; restart: boolean }, cmd: Command) => {
      const app = resolveApp(opts.app);
      const assignments = parseAssignments(args);
      if (assignments.length === 0) throw usageError("give at least one NAME=value");
      await apiFor(cmd).stream("POST", `/apps/${app}/env`, {
        form: envSetForm(assignments, !!opts.private, !opts.restart),
      });
    },
  );

  appOption(
    env
      .command("unset <names...>")
      .description("remove variables (the app restarts unless --no-restart)")
      .option("--no-restart", "do not restart the app"),
  ).action(async (names: string[], opts: { app?: string; restart: boolean }, cmd: Command) => {
    const app = resolveApp(opts.app);
    await apiFor(cmd).stream(
      "DELETE",
      `/apps/${app}/env${query({ env: names, noRestart: String(!opts.restart) })}`,
    );
  });
}
