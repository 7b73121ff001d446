// Interactive input: hidden password entry on a terminal, the first word of stdin
// otherwise (so `echo pw | wharf login me@x` works in scripts, as with tsuru).
import { createInterface } from "node:readline";
import { CliError } from "./errors.js";

let stdinWords: string[] | undefined;

async function readStdinWords(): Promise<string[]> {
  if (stdinWords) return stdinWords;
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  stdinWords = Buffer.concat(chunks).toString("utf8").split(/\s+/).filter(Boolean);
  return stdinWords;
}

/** Reads a line from the terminal without echoing it. */
function readHidden(question: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // Silence readline's echo of typed characters; the question itself is written once.
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    out._writeToOutput = () => {};
    rl.question("", (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolvePromise(answer);
    });
    rl.on("SIGINT", () => {
      rl.close();
      reject(new CliError("interrupted", 130));
    });
  });
}

function readLine(question: string): Promise<string> {
  return new Promise((resolvePromise) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    rl.question(question, (answer) => {
      rl.close();
      resolvePromise(answer.trim());
    });
  });
}

/** A password: hidden prompt on a TTY, else the next whitespace-free word of stdin. */
export async function askPassword(question = "Password: "): Promise<string> {
  const pw = process.stdin.isTTY ? await readHidden(question) : (await readStdinWords()).shift();
  if (!pw) throw new CliError("you must provide the password (type it, or pipe it on stdin)");
  return pw;
}

/** A plain value: prompt on a TTY, else the next word of stdin. */
export async function askValue(question: string, what: string): Promise<string> {
  const v = process.stdin.isTTY ? await readLine(question) : (await readStdinWords()).shift();
  if (!v) throw new CliError(`you must provide the ${what}`);
  return v;
}

/**
 * Asks "(y/n)"; without a terminal the answer is no, and the error names the flag that
 * confirms non-interactively (-y unless the command says otherwise).
 */
export async function confirm(question: string, assumeYes: boolean | undefined, flag = "-y"): Promise<void> {
  if (assumeYes) return;
  if (!process.stdin.isTTY) {
    throw new CliError(
      `${question.replace(/\?$/, "")}: refusing without confirmation; pass ${flag} to confirm`,
      2,
    );
  }
  const answer = await readLine(`${question} (y/n) `);
  if (!/^y(es)?$/i.test(answer)) throw new CliError("aborted", 1);
}
