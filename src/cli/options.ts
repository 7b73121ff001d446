// Option and argument helpers shared by the commands.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { CliError } from "./errors.js";

/** A usage mistake: exit code 2, like commander's own parse errors. */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

/** Accumulates a repeatable option (`-g a -g b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function jsonOption(cmd: Command): Command {
  return cmd.option("--json", "print the server's answer as JSON instead of a table");
}

export function appOption(cmd: Command): Command {
  return cmd.option("-a, --app <name>", "the app (default: the app linked to this directory)");
}

export function yesOption(cmd: Command): Command {
  return cmd.option("-y, --assume-yes", "do not ask for confirmation");
}

/** `--flag true|false` options that may be left out (empty = leave unchanged). */
export function boolChoice(flags: string, description: string): Option {
  return new Option(flags, description).choices(["true", "false"]);
}

/** Markers that link a directory to an app, nearest first: ours, then tsuru-style. */
export const APP_MARKERS = [join(".wharf", "app"), ".tsuru_app"];

/** Walks up from `start` to the filesystem root looking for an app marker. */
export function findLinkedApp(start: string): { app: string; file: string } | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const marker of APP_MARKERS) {
      const file = join(dir, marker);
      if (existsSync(file)) {
        const app = readFileSync(file, "utf8").trim();
        if (app) return { app, file };
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The -a value, else the linked app, else a usage error saying how to fix it. */
export function resolveApp(given: string | undefined, cwd = process.cwd()): string {
  if (given) return given;
  const linked = findLinkedApp(cwd);
  if (linked) return linked.app;
  throw usageError(
    "no app given: pass -a NAME, or run `wharf app link NAME` in your project directory to set a default",
  );
}

/** Writes `.wharf/app` in `dir` so commands run there default to `app`. */
export function linkApp(app: string, dir = process.cwd()): string {
  mkdirSync(join(dir, ".wharf"), { recursive: true });
  const file = join(dir, ".wharf", "app");
  writeFileSync(file, `${app}\n`);
  return file;
}

/** Splits `NAME=value` at the first `=`, as tsuru's env-set does. */
export function parseAssignments(args: string[]): Array<{ name: string; value: string }> {
  return args.map((arg) => {
    const i = arg.indexOf("=");
    if (i <= 0) throw usageError(`invalid variable ${JSON.stringify(arg)}: use NAME=value`);
    return { name: arg.slice(0, i), value: arg.slice(i + 1) };
  });
}

/** `k=v` pairs for options such as --router-opts. */
export function parseKeyValues(pairs: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw usageError(`invalid ${what} ${JSON.stringify(p)}: use key=value`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}
