// Streaming answers of long operations, as tsuru writes them:
// - application/x-json-stream: one {"Message","Timestamp"[,"Error"]} object per line. Until the
//   first message a failure is still a plain-text error with a status; after it, the failure is a
//   final line with "Error".
// - the deploy text stream (Content-Type: text): raw lines, X-Tsuru-Eventid before the first byte,
//   and "\nOK\n" at the end of a success.
// Both keep quiet connections alive the way tsuru's keepAliveWriter does (io/keepalive_writer.go):
// after an interval with nothing written (30 s, every write restarts it) they write the keep-alive
// message and a newline, with a newline first when the last byte written was not one. The JSON
// stream's message is "" (an empty line, which the client skips); the deploy stream's is
// "please wait...". So a proxy that cuts connections idle for 60 s never cuts a slow build.
import type { FastifyReply, FastifyRequest } from "fastify";
import { WharfError } from "../domain/errors.js";
import { fromTransportError } from "./errors.js";

export type Out = (message: string) => void;

/** tsuru's keep-alive interval for streams. */
export const KEEPALIVE_MS = 30_000;

declare module "fastify" {
  interface FastifyInstance {
    /** The silence after which streams write a keep-alive (WHARF_STREAM_KEEPALIVE_MS). */
    streamKeepAliveMs?: number;
  }
}

function intervalOf(reply: FastifyReply): number {
  return reply.server.streamKeepAliveMs ?? KEEPALIVE_MS;
}

/**
 * Writes `message + "\n"` after `ms` of silence, again after every further `ms`; each real write
 * (reported through wrote()) restarts the wait. start() is called before the first keep-alive so
 * the response head goes out first.
 */
class KeepAlive {
  private timer: NodeJS.Timeout | null = null;
  private lastByte = "";
  private stopped = false;

  constructor(
    private readonly ms: number,
    private readonly message: string,
    private readonly write: (chunk: string) => void,
  ) {
    this.arm();
  }

  wrote(chunk: string): void {
    if (chunk.length) this.lastByte = chunk[chunk.length - 1]!;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const chunk = `${this.lastByte === "\n" ? "" : "\n"}${this.message}\n`;
      this.lastByte = "\n";
      this.write(chunk);
      this.arm();
    }, this.ms);
    this.timer.unref();
  }
}

/** Takes the reply from fastify and sends tsuru's streaming head: the body follows as it happens. */
export function hijackForStream(reply: FastifyReply, status = 200): void {
  reply.hijack();
  reply.raw.writeHead(status, {
    "content-type": "application/x-json-stream",
    "supported-tsuru": "1.0.1",
    "cache-control": "no-cache",
  });
}

/** Whether the client asked to read progress as it happens (Wharf's CLI does). */
export function wantsStream(req: FastifyRequest): boolean {
  return String(req.headers.accept ?? "").includes("application/x-json-stream");
}

export interface JsonStreamOptions {
  /**
   * Answer only once the operation ended: its messages as the body of a 200, or its failure as a
   * plain-text error with a status. For clients that read the status and never the stream (tsuru's
   * node-remove). There is nothing to keep alive then: no byte may go out before the status.
   */
  hold?: boolean;
  /** The success status: tsuru answers node-add with 201, every other stream with 200. */
  status?: number;
}

export async function jsonStream(
  reply: FastifyReply,
  op: (out: Out) => Promise<void>,
  opts: JsonStreamOptions = {},
): Promise<FastifyReply | void> {
  let started = false;
  const raw = reply.raw;
  const held: string[] = [];
  const start = (): void => {
    if (started) return;
    started = true;
    hijackForStream(reply, opts.status);
  };
  const send = (chunk: string): void => {
    start();
    raw.write(chunk);
  };
  const keepAlive = opts.hold ? null : new KeepAlive(intervalOf(reply), "", send);
  const line = (o: Record<string, string>): void => {
    const chunk = `${JSON.stringify({ ...o, Timestamp: new Date().toISOString() })}\n`;
    if (opts.hold) {
      held.push(chunk);
      return;
    }
    send(chunk);
    keepAlive?.wrote(chunk);
  };
  try {
    await op((message) => line({ Message: message }));
  } catch (err) {
    keepAlive?.stop();
    if (!started) throw err;
    const e = fromTransportError(err);
    const msg = e instanceof WharfError ? e.message : "internal error: the failure was logged";
    if (!(e instanceof WharfError)) reply.log.error({ err: e }, "stream failed");
    line({ Message: "", Error: msg });
    raw.end();
    return;
  }
  keepAlive?.stop();
  if (!started) {
    // Nothing was said, or it was held: an empty 200 stream is valid for the tsuru client.
    return reply
      .code(opts.status ?? 200)
      .type("application/x-json-stream")
      .send(held.join(""));
  }
  raw.end();
}

/**
 * tsuru's deploy answer: plain text while it runs, X-Tsuru-Eventid before the first byte, and a
 * last line "OK" on success or the error text on failure.
 */
export async function textStream(
  reply: FastifyReply,
  op: (out: Out, started: (eventId: string) => void) => Promise<void>,
): Promise<FastifyReply | void> {
  let eventId = "";
  let started = false;
  const raw = reply.raw;
  const start = () => {
    if (started) return;
    started = true;
    reply.hijack();
    raw.writeHead(200, {
      "content-type": "text; charset=utf-8",
      "cache-control": "no-cache",
      ...(eventId ? { "x-tsuru-eventid": eventId } : {}),
    });
  };
  const keepAlive = new KeepAlive(intervalOf(reply), "please wait...", (chunk) => {
    start();
    raw.write(chunk);
  });
  try {
    await op(
      (text) => {
        start();
        raw.write(text);
        keepAlive.wrote(text);
      },
      (id) => {
        eventId = id;
        start();
      },
    );
  } catch (e) {
    keepAlive.stop();
    if (!started) throw e;
    const msg = e instanceof WharfError ? e.message : "internal error: the failure was logged";
    if (!(e instanceof WharfError)) reply.log.error({ err: e }, "deploy failed");
    raw.end(`\nError: ${msg}\n`);
    return;
  }
  keepAlive.stop();
  start();
  raw.end("\nOK\n");
}
