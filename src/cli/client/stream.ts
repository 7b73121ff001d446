// application/x-json-stream, read the way tsuru-client's StreamWriter reads it
// (reference §1.7a): one JSON object per line, Message written verbatim, the first
// non-empty Error ends the operation as a failure.
import { CliError } from "../errors.js";

export interface StreamMessage {
  Message?: unknown;
  Error?: unknown;
  Timestamp?: string;
}

/** Handle one complete line; returns the error text when the line carries one. */
function handleLine(line: string, out: (s: string) => void, final: boolean): string | undefined {
  // Empty lines are the server's keep-alives.
  if (line.trim() === "") return undefined;
  let msg: StreamMessage;
  try {
    msg = JSON.parse(line) as StreamMessage;
  } catch {
    throw new CliError(
      final ? `unparsed message error: ${line}` : `Unparseable chunk: ${JSON.stringify(line)}`,
    );
  }
  if (typeof msg !== "object" || msg === null)
    throw new CliError(`Unparseable chunk: ${JSON.stringify(line)}`);
  if (typeof msg.Error === "string" && msg.Error !== "") return msg.Error;
  if (typeof msg.Message === "string") out(msg.Message);
  return undefined;
}

/**
 * Reads the stream chunk by chunk (lines can be split across chunks), writing each
 * Message to `out` as soon as its line is complete. Resolves to the first Error text,
 * or undefined when the operation succeeded. Unparseable lines throw.
 */
export async function consumeJsonStream(
  chunks: AsyncIterable<Buffer | string>,
  out: (s: string) => void,
): Promise<string | undefined> {
  let pending = "";
  const decoder = new TextDecoder();
  for await (const chunk of chunks) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      const err = handleLine(line, out, false);
      if (err !== undefined) return err;
    }
  }
  pending += decoder.decode();
  return handleLine(pending, out, true);
}
