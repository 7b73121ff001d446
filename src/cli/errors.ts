/** An error the CLI reports as one sentence (no stack) with a scriptable exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
