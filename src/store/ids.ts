// Event ids shaped like Mongo ObjectIds (24 lowercase hex): tsuru clients reject anything else.
// Layout as ObjectId: 4 bytes of seconds (so ids sort roughly by time) + 8 random bytes.
import { randomBytes } from "node:crypto";

export function newEventId(now: Date = new Date()): string {
  const secs = Math.floor(now.getTime() / 1000) >>> 0;
  return secs.toString(16).padStart(8, "0") + randomBytes(8).toString("hex");
}

export const EVENT_ID_RE = /^[0-9a-f]{24}$/;
