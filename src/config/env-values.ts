// Typed reads of single environment variables for src/config's settings. A bad value throws
// a sentence naming the variable, so the server stops instead of running on nonsense.

/** A whole number of milliseconds >= `min`; unset or empty gives `fallback`. */
export function envMs(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(
      `${name}=${raw.slice(0, 40)} is not valid: give a whole number of milliseconds >= ${min}.`,
    );
  return n;
}

/** on|off (also true/false, 1/0), any case; unset gives on. */
export function envOnOff(env: NodeJS.ProcessEnv, name: string): boolean {
  const flag = (env[name] ?? "on").toLowerCase();
  if (!["on", "off", "true", "false", "1", "0"].includes(flag))
    throw new Error(`${name}=${flag.slice(0, 40)} is not valid: use on or off.`);
  return ["on", "true", "1"].includes(flag);
}
