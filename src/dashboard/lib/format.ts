// How values read on screen: sizes, times relative to now, durations.

const ZERO = /^0001-01-01/;

export function bytes(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return n === 0 ? "0 B" : "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 10 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function isZeroTime(s: string | undefined | null): boolean {
  return !s || ZERO.test(s);
}

export function ago(iso: string | undefined | null, now = Date.now()): string {
  if (isZeroTime(iso)) return "never";
  const t = Date.parse(iso!);
  if (!Number.isFinite(t)) return "—";
  const s = Math.round((now - t) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

export function dateTime(iso: string | undefined | null): string {
  if (isZeroTime(iso)) return "—";
  const d = new Date(iso!);
  return Number.isFinite(d.getTime()) ? d.toLocaleString() : "—";
}

/** Go durations arrive as nanoseconds. */
export function duration(ns: number): string {
  const s = ns / 1e9;
  if (!Number.isFinite(s) || s <= 0) return "—";
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
