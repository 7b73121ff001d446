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

export async function relayDeployOutput(res: ApiResponse, out: (s: string) => void): Promise<DeployOutcome> {
  const type = String(res.headers["content-type"] ?? "");
  if (type.includes("x-json-stream")) {
    const error = await consumeJsonStream(res.body, out);
    return error === undefined ? { ok: true } : { ok: false, error };
  }
  // Only the last bytes matter for the verdict; the rest is printed and forgotten.
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    const text = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    out(text);
    tail = (tail + text).slice(-OK_SUFFIX.length);
  }
  const rest = decoder.decode();
  if (rest) {
    out(rest);
    tail = (tail + rest).slice(-OK_SUFFIX.length);
  }
  return { ok: tail === OK_SUFFIX };
}
