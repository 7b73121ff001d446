// application/x-json-stream: one {"Message","Timestamp"[,"Error"]} object per line.
// Until the first message, a failure is still a normal plain-text error with a status;
// after it, the failure becomes a final line with "Error" (that's how tsuru does it).
import type { FastifyReply } from "fastify";
import { WharfError } from "../domain/errors.js";
import { fromTransportError } from "./errors.js";

export type Out = (message: string) => void;

/** Takes the reply from fastify and sends tsuru's streaming head: the body follows as it happens. */
export function hijackForStream(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.writeHead(200, {
    "content-type": "application/x-json-stream",
    "supported-tsuru": "1.0.1",
    "cache-control": "no-cache",
  });
}

export async function jsonStream(
  reply: FastifyReply,
  op: (out: Out) => Promise<void>,
): Promise<FastifyReply | void> {
  let started = false;
  const raw = reply.raw;
  const start = (): void => {
    if (started) return;
    started = true;
    hijackForStream(reply);
  };
  const line = (o: Record<string, string>): void => {
    raw.write(`${JSON.stringify({ ...o, Timestamp: new Date().toISOString() })}\n`);
  };
  const out: Out = (message) => {
    start();
    line({ Message: message });
  };
  try {
    await op(out);
  } catch (err) {
    if (!started) throw err;
    const e = fromTransportError(err);
    const msg = e instanceof WharfError ? e.message : "internal error: the failure was logged";
    if (!(e instanceof WharfError)) reply.log.error({ err: e }, "stream failed");
    line({ Message: "", Error: msg });
    raw.end();
    return;
  }
  if (!started) {
    // Nothing was said: an empty 200 stream is valid for the tsuru client.
    return reply.code(200).type("application/x-json-stream").send("");
  }
  raw.end();
}
