// Failures of a service API or broker. They are not the client's mistake, so they are 502s, and
// their sentences name the service and what went wrong without ever quoting credentials: URLs
// lose their user-info, response bodies are clipped and scrubbed of known secrets.
import { WharfError } from "../domain/errors.js";

export class BrokerError extends WharfError {
  constructor(message: string) {
    super(502, message);
  }
}

/** The broker answered 412 to a bind: the instance exists but is still being prepared. */
export class NotReadyError extends WharfError {
  constructor(message = "instance is not ready yet: wait for its status to be ready, then try again") {
    super(412, message);
  }
}

/** URL without user-info, query or fragment: safe to show. */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/** Body text fit for an error sentence: one line, clipped, with every secret blanked out. */
export function scrub(body: string, secrets: readonly string[], max = 200): string {
  let s = body.replace(/\s+/g, " ").trim();
  for (const secret of secrets) if (secret.length >= 3) s = s.split(secret).join("***");
  return s.length > max ? `${s.slice(0, max)}...` : s;
}
