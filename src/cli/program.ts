// The `wharf` command tree: one module per topic under commands/, each adding its
// subcommands to the program (see topics.ts).
import { Command, type CommanderError, type OutputConfiguration } from "commander";
import { topics, topicsFor } from "./topics.js";

/** Global options that take a value (skipped when looking for the command's first word). */
const GLOBALS_WITH_VALUE = ["--target", "--verbosity"];

/**
 * The program with the topics `args` (the command line after `wharf`) needs, or every
 * topic when `args` is not given. `output` redirects commander's own help/error text
 * (tests silence it).
 */
export async function buildProgram(output?: OutputConfiguration, args?: readonly string[]): Promise<Command> {
  const program = new Command("wharf")
    .description("Wharf: a self-hosted PaaS on Docker, speaking tsuru's API")
    .version("0.1.0")
    // Long names only: global options are parsed anywhere on the line and must not
    // steal subcommand flags such as `app create -t TEAM` or `event list -v VALUE`.
    .option(
      "--target <label|url>",
      "the Wharf server to talk to (default: WHARF_TARGET, then `wharf target set`)",
    )
    .option("--verbosity <n>", "sent as X-Tsuru-Verbosity; above 0 the server adds detail to errors")
    .showHelpAfterError("(run with --help for usage)")
    // Set before topics register so every subcommand inherits it (commander copies
    // settings at creation): parse errors then reach main() and become exit code 2.
    .exitOverride();
  if (output) program.configureOutput(output);
  const wanted = args === undefined ? topics : topicsFor(args, GLOBALS_WITH_VALUE);
  // Loaded together, registered in help order (some topics add to another's commands).
  for (const registers of await Promise.all(wanted.map((t) => t.load())))
    for (const register of registers) register(program);
  return program;
}

/** Maps commander's outcome to our exit codes: help and version are successes. */
export function commanderExitCode(err: CommanderError): number {
  if (err.exitCode === 0) return 0;
  if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
  return 2;
}

/**
 * tsuru's hyphenated names work too: `wharf app-create x` runs `wharf app create x`,
 * `pool-constraint-set` runs `pool constraint set`. Only the first word is rewritten,
 * and only when it is not a command already and splits into a chain of commands.
 */
export function expandHyphenated(program: Command, args: string[]): string[] {
  // Skip global options and their values (`--target URL app-list`).
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) {
    const opt = program.options.find((o) => o.long === args[i] || o.short === args[i]);
    i += opt && (opt.required || opt.optional) ? 2 : 1;
  }
  const word = args[i];
  if (word === undefined || !word.includes("-")) return args;
  if (program.commands.some((c) => c.name() === word || c.aliases().includes(word))) return args;
  const chain = splitChain(program, word.split("-"));
  return chain ? [...args.slice(0, i), ...chain, ...args.slice(i + 1)] : args;
}

/** Longest-first match of `parts` against nested subcommand names (`change-password`). */
function splitChain(cmd: Command, parts: string[]): string[] | undefined {
  if (parts.length === 0) return [];
  for (let n = parts.length; n >= 1; n--) {
    const name = parts.slice(0, n).join("-");
    const sub = cmd.commands.find((c) => c.name() === name);
    if (!sub) continue;
    const rest = splitChain(sub, parts.slice(n));
    if (rest) return [name, ...rest];
  }
  return undefined;
}
