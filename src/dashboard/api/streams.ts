// The API's streamed answers, read as they arrive with fetch's body stream:
//  - x-json-stream (unit add, env set, restart, rollback, platform builds, ...): one
//    {"Message","Error"} object per line; a line with Error ends the operation as failed;
//  - a deploy's text stream, which ends with "\nOK\n" when the deploy succeeded (tsuru's rule).
import { ApiError, send, type Form } from "./client";
import { splitLines } from "../lib/lines";

/** Calls `onChunk` with each decoded piece of the body until it ends. */
export async function readText(res: Response, onChunk: (text: string) => void): Promise<void> {
  if (!res.body) {
    onChunk(await res.text());
    return;
  }
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    onChunk(dec.decode(value, { stream: true }));
  }
  const rest = dec.decode();
  if (rest) onChunk(rest);
}

/** Calls `onLine` with each complete line of the body (a last unterminated line included). */
export async function readLines(res: Response, onLine: (line: string) => void): Promise<void> {
  let buf = "";
  await readText(res, (chunk) => {
    const [lines, rest] = splitLines(buf + chunk);
    buf = rest;
    for (const l of lines) onLine(l);
  });
  if (buf.trim()) onLine(buf);
}

/**
 * Runs an operation whose answer is an x-json-stream, calling `onMessage` with each message.
 * Resolves when the stream ends; rejects with the API's sentence when it ends with an error.
 */
export async function runStream(
  method: string,
  path: string,
  body: Form | FormData | undefined,
  onMessage: (text: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const res = await send(method, path, body, signal ? { signal } : {});
  let failure = "";
  try {
    await readLines(res, (line) => {
      if (!line.trim()) return;
      let m: { Message?: string; Error?: string };
      try {
        m = JSON.parse(line) as typeof m;
      } catch {
        onMessage(`${line}\n`);
        return;
      }
      if (m.Message) onMessage(m.Message);
      if (m.Error) failure = m.Error;
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(
      0,
      "The connection to Wharf broke before the operation reported its end: reload to see its state.",
    );
  }
  if (failure) throw new ApiError(200, failure);
}
