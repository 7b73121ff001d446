// The `wharf` command tree: one module per topic under commands/, each adding its
// subcommands to the program (see topics.ts).
import { Command, type CommanderError, type OutputConfiguration } from "commander";
import { topics } from "./topics.js";

/** `output` redirects commander's own help/error text (tests silence it). */
export function buildProgram(output?: OutputConfiguration): Command {
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
  for (const register of topics) register(program);
  return program;
}

/** Maps commander's outcome to our exit codes: help and version are successes. */
export function commanderExitCode(err: CommanderError): number {
  if (err.exitCode === 0) return 0;
  if (err.code === "commander.helpDisplayed" || err.code === "commander.version") return 0;
  return 2;
}
