// Relays a deploy answer as it arrives. tsuru's deploy answers plain text that ends with
// "\nOK\n" on success (reference §1.7b); newer servers may answer x-json-stream, where
// an Error line is the failure (§1.7a). Both are accepted, chosen by Content-Type.
import type { ApiResponse } from "../client/http.js";
import { consumeJsonStream } from "../client/stream.js";

export interface DeployOutcome {
  ok: boolean;
  /** The failure text from an x-json-stream Error line (text answers carry it inline). */
  error?: string;
}

const OK_SUFFIX = "\nOK\n";
const TAIL_KEEP = 4096;

export async function relayDeployOutput(res: ApiResponse, out: (s: string) => void): Promise<DeployOutcome> {
  const type = String(res.headers["content-type"] ?? "");
  if (type.includes("x-json-stream")) {
    const error = await consumeJsonStream(res.body, out);
    return error === undefined ? { ok: true } : { ok: false, error };
  }
  // Only the last bytes matter for the verdict (and the error line); the rest is
  // printed and forgotten.
  let tail = "";
  const keep = (text: string) => {
    out(text);
    tail = (tail + text).slice(-TAIL_KEEP);
  };
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    keep(typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true }));
  }
  const rest = decoder.decode();
  if (rest) keep(rest);
  if (tail.endsWith(OK_SUFFIX)) return { ok: true };
  // Wharf's (and tsuru's) server ends a failed deploy with the error text on its own line.
  const last = tail.trimEnd().split("\n").pop() ?? "";
  const m = /^Error: (.+)$/.exec(last);
  return m ? { ok: false, error: m[1]! } : { ok: false };
}
