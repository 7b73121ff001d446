// Docker's human container status ("Up 5 minutes", "Exited (0) 3 seconds ago") is computed
// when the engine answers; the node state cache keeps answers for a long time, so the
// status is re-aged at each list from the moment the summary was read, as Swarm regenerated
// it from its cache. Pure.

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 1) return "Less than a second";
  if (s === 1) return "1 second";
  if (s < 60) return `${s} seconds`;
  const m = Math.floor(s / 60);
  if (m === 1) return "About a minute";
  if (m < 60) return `${m} minutes`;
  const h = Math.round(m / 60);
  if (h === 1) return "About an hour";
  if (h < 48) return `${h} hours`;
  if (h < 24 * 7 * 2) return `${Math.floor(h / 24)} days`;
  if (h < 24 * 30 * 2) return `${Math.floor(h / 24 / 7)} weeks`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24 / 30)} months`;
  return `${Math.floor(h / 24 / 365)} years`;
}

/** The duration a HumanDuration string stands for, in ms (its lower end), or undefined. */
export function parseHumanDuration(text: string): number | undefined {
  if (text === "Less than a second") return 0;
  if (text === "About a minute") return 60_000;
  if (text === "About an hour") return 3_600_000;
  const m = /^(\d+) (second|minute|hour|day|week|month|year)s?$/.exec(text);
  if (!m) return undefined;
  const unit = {
    second: 1,
    minute: 60,
    hour: 3600,
    day: 86_400,
    week: 604_800,
    month: 2_592_000,
    year: 31_536_000,
  }[m[2] as "second"];
  return Number(m[1]) * unit * 1000;
}

const AGED = /^(Up|Exited \(-?\d+\)|Restarting \(-?\d+\)) (.+?)( ago)?( \([^)]*\))?$/;

/** The status `status` (read at `readAt`) should show at `now`. */
export function reagedStatus(status: string, readAt: number, now: number): string {
  const m = AGED.exec(status);
  if (!m) return status;
  const d = parseHumanDuration(m[2]!);
  if (d === undefined) return status;
  return `${m[1]} ${humanDuration(d + Math.max(0, now - readAt))}${m[3] ?? ""}${m[4] ?? ""}`;
}
