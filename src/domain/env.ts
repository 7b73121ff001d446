// App environment variables. Private values are never shown back (masked on read)
// and never written to logs; only names appear in event logs.
import { BadRequestError } from "./errors.js";
import { validateEnvName } from "./names.js";

export interface EnvVar {
  name: string;
  value: string;
  public: boolean;
}

export const MASK = "*** (private variable)";
/** Names the platform sets itself; users can't overwrite them. */
const RESERVED = new Set(["TSURU_SERVICES", "TSURU_APPNAME", "TSURU_APPDIR", "TSURU_APP_TOKEN"]);

export function validateEnvSet(envs: readonly { name: string; value: string }[]): void {
  if (envs.length === 0) throw new BadRequestError("You must provide the list of environment variables");
  for (const e of envs) {
    validateEnvName(e.name);
    if (RESERVED.has(e.name))
      throw new BadRequestError(
        `Environment variable "${e.name}" is reserved by the platform: choose another name.`,
      );
    if (e.value.length > 64 * 1024)
      throw new BadRequestError(
        `Environment variable "${e.name}" is too long: values are limited to 64 KiB.`,
      );
  }
}

/** What env-get returns: private values replaced by a mask. */
export function maskEnv(envs: readonly EnvVar[]): EnvVar[] {
  return envs.map((e) => (e.public ? { ...e } : { ...e, value: MASK }));
}

export function filterEnv(envs: readonly EnvVar[], names: readonly string[]): EnvVar[] {
  if (names.length === 0) return [...envs];
  const want = new Set(names);
  return envs.filter((e) => want.has(e.name));
}
