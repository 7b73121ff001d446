// The `wharf` command line: one module per topic under commands/, each adding its
// subcommands to the program. Commands talk to the API (or, for `dev`, to the local host).
import { Command, CommanderError } from "commander";
import { topics } from "./topics.js";
import { CliError } from "./errors.js";

export function buildProgram(): Command {
  const program = new Command("wharf")
    .description("Wharf: a self-hosted PaaS on Docker, speaking tsuru's API")
    .version("0.1.0")
    .showHelpAfterError("(run with --help for usage)");
  for (const register of topics) register(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof CliError) {
      console.error(`Error: ${err.message}`);
      process.exit(err.exitCode);
    }
    console.error(`Error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

await main(process.argv);
