// Where the CLI keeps its state: $WHARF_HOME, or ~/.wharf.
import { homedir } from "node:os";
import { join } from "node:path";

export type Env = Record<string, string | undefined>;

export function wharfHome(env: Env = process.env): string {
  return env.WHARF_HOME || join(homedir(), ".wharf");
}
