// The `wharf` entry point. Exit codes scripts can trust: 0 success, 1 an error from the
// API or the user's data, 2 a usage error (bad flags, missing arguments).
import { CommanderError } from "commander";
import { buildProgram, commanderExitCode, expandHyphenated } from "./program.js";
import { CliError } from "./errors.js";

async function main(argv: string[]): Promise<number> {
  // Only the topic the command needs is loaded: start-up is part of every command's time.
  const program = await buildProgram(undefined, argv.slice(2));
  try {
    await program.parseAsync(expandHyphenated(program, argv.slice(2)), { from: "user" });
    return 0;
  } catch (err) {
    // commander has already printed its own message for parse errors.
    if (err instanceof CommanderError) return commanderExitCode(err);
    if (err instanceof CliError) {
      const msg = err.message.endsWith("\n") ? err.message : `${err.message}\n`;
      process.stderr.write(`Error: ${msg}`);
      return err.exitCode;
    }
    process.stderr.write(`Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
