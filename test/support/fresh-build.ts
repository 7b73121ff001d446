// Whether a build output is newer than every file it is built from. The suite runs after
// `npm run build` (scripts/test-all.sh), and a tsc run costs about 25 s on a 2-core machine: the
// 20-odd files that need the built CLI or dashboard would otherwise rebuild it each time.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when `output` exists and no file under `inputs` changed after it was written. */
export function isFresh(output: string, inputs: string[]): boolean {
  if (!existsSync(output)) return false;
  const built = statSync(output).mtimeMs;
  return inputs.every((p) => !existsSync(p) || newestMtime(p) <= built);
}
