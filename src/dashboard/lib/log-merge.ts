// The live log's memory of what it already shows, so that a follow which reconnects (and
// asks the API for the recent history again) adds only the lines it missed, never one twice.
// The API's log entries carry no id: a line is known by its date, unit, source and text.

export interface LogEntry {
  Date: string;
  Message: string;
  Source: string;
  AppName: string;
  Unit: string;
}

export function entryKey(e: LogEntry): string {
  return `${e.Date}\u0000${e.Unit}\u0000${e.Source}\u0000${e.Message}`;
}

/** The last `capacity` lines shown, in order, with their keys. */
export class LogBuffer {
  private readonly keys = new Set<string>();
  private entries: LogEntry[] = [];

  constructor(readonly capacity = 2000) {}

  /** Appends the lines not already held and returns them (the ones to show). */
  add(batch: readonly LogEntry[]): LogEntry[] {
    const fresh: LogEntry[] = [];
    for (const e of batch) {
      const k = entryKey(e);
      if (this.keys.has(k)) continue;
      this.keys.add(k);
      fresh.push(e);
    }
    if (fresh.length === 0) return fresh;
    this.entries = this.entries.concat(fresh);
    if (this.entries.length > this.capacity) {
      const dropped = this.entries.slice(0, this.entries.length - this.capacity);
      this.entries = this.entries.slice(-this.capacity);
      for (const e of dropped) this.keys.delete(entryKey(e));
    }
    return fresh;
  }

  lines(): readonly LogEntry[] {
    return this.entries;
  }

  clear(): void {
    this.entries = [];
    this.keys.clear();
  }
}
