// The engine's event stream (container start events feed the log collectors).
import type { Connection } from "./connection.js";

export interface EventClient {
  /** Events matching the filters, as raw JSON lines, until the stream is destroyed. */
  stream(filters: { type?: string[]; event?: string[]; label?: string[] }): Promise<NodeJS.ReadableStream>;
}

export function eventClient(c: Connection): EventClient {
  return {
    async stream(filters) {
      return (await c.quiet.getEvents({ filters: JSON.stringify(filters) })) as NodeJS.ReadableStream;
    },
  };
}
