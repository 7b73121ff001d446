// App log lines as tsuru's log route carries them, and the rules every line obeys before
// it is stored: bounded length, a source and unit of sane characters, a real date.
import type { AppLogRecord } from "../store/types.js";
import { BadRequestError } from "../domain/errors.js";

/** tsuru-client 1.7 decodes these fields (reference §4.7 app-log). */
export interface TsuruLogEntry {
  Date: string;
  Message: string;
  Source: string;
  AppName: string;
  Unit: string;
}

export function tsuruEntry(l: AppLogRecord): TsuruLogEntry {
  return { Date: l.date.toISOString(), Message: l.message, Source: l.source, AppName: l.app, Unit: l.unit };
}

/** One chunk of the log stream: a JSON array and a newline (reference §1.7c). */
export function encodeChunk(lines: readonly AppLogRecord[]): string {
  return `${JSON.stringify(lines.map(tsuruEntry))}\n`;
}

/** Longer lines are cut (with a marker) so one runaway line cannot fill an app's history. */
export const MAX_MESSAGE_BYTES = 8 * 1024;
export const MAX_LINES_PER_REQUEST = 2000;
const SOURCE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const UNIT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}$/;

export function clipMessage(text: string): string {
  // Control characters other than tab would garble terminals; NUL is refused by PostgreSQL.
  let clean = "";
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c === 9 || (c >= 32 && c !== 127)) clean += ch;
  }
  if (Buffer.byteLength(clean) <= MAX_MESSAGE_BYTES) return clean;
  const marker = " […]";
  const room = MAX_MESSAGE_BYTES - Buffer.byteLength(marker);
  let cut = Buffer.from(clean).subarray(0, room).toString("utf8");
  // A multi-byte character cut in half decodes as U+FFFD: drop it.
  while (Buffer.byteLength(cut) > room || cut.endsWith("\ufffd")) cut = cut.slice(0, -1);
  return `${cut}${marker}`;
}

export function validSource(s: string): boolean {
  return SOURCE.test(s);
}

export function validUnit(s: string): boolean {
  return UNIT.test(s);
}

/** A log filter given by a user: both optional, both checked so a typo is a sentence, not "no lines". */
export function parseFilter(source: string, unit: string): { source?: string; unit?: string } {
  if (source && !validSource(source))
    throw new BadRequestError(
      `Invalid source "${source.slice(0, 64)}": give a process name (letters, digits, ".", "_", "-").`,
    );
  if (unit && !validUnit(unit))
    throw new BadRequestError(`Invalid unit "${unit.slice(0, 64)}": give a unit id as app info lists it.`);
  return { ...(source ? { source } : {}), ...(unit ? { unit } : {}) };
}

/** tsuru 1.7 reads `lines` as mandatory and integral; Wharf adds a bound. */
export function parseLines(raw: string, max: number): number {
  if (raw.trim() === "")
    throw new BadRequestError('Parameter "lines" is mandatory: pass lines=N, e.g. lines=10.');
  if (!/^\d{1,9}$/.test(raw.trim())) throw new BadRequestError('Parameter "lines" must be an integer ≥ 0.');
  return Math.min(Number(raw.trim()), max);
}

export function matches(l: AppLogRecord, f: { source?: string; unit?: string }): boolean {
  return (!f.source || l.source === f.source) && (!f.unit || l.unit === f.unit);
}
