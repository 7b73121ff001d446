// Docker's stream framing, shared by the engine adapter and the node agent (which carries
// this file as it is: no imports). Without a TTY, a container's stdout and stderr come
// multiplexed in frames: [stream(1) 0 0 0 size(4, big-endian)] payload.

export type StreamName = "stdout" | "stderr";
export interface Frame {
  stream: StreamName;
  data: Buffer;
}

/**
 * Incremental demultiplexer: push chunks as they arrive (frames may span chunks), get the
 * complete frames. Stream type 0 (stdin echo) is reported as stdout.
 */
export class Demuxer {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const type = this.pending[0];
      frames.push({ stream: type === 2 ? "stderr" : "stdout", data: this.pending.subarray(8, 8 + size) });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }

  /** Bytes of an incomplete last frame (a truncated stream). */
  get leftover(): number {
    return this.pending.length;
  }
}

export function demultiplex(buf: Buffer): Frame[] {
  return new Demuxer().push(buf);
}

/** Splits text into lines as they complete, so output is logged line by line. */
export class LineSplitter {
  private partial = "";

  push(text: string): string[] {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    return parts.map((l) => l.replace(/\r$/, ""));
  }

  flush(): string[] {
    const rest = this.partial;
    this.partial = "";
    return rest ? [rest] : [];
  }
}

/** Feeds a multiplexed Docker stream to `log` line by line; resolves when it ends. */
export function pumpOutput(
  stream: NodeJS.ReadableStream,
  log: (line: string, stream: StreamName) => void,
): Promise<void> {
  const demux = new Demuxer();
  const lines: Record<StreamName, LineSplitter> = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  return new Promise((resolve, reject) => {
    stream.on("data", (chunk: Buffer) => {
      for (const f of demux.push(chunk)) {
        for (const l of lines[f.stream].push(f.data.toString("utf8"))) log(l, f.stream);
      }
    });
    const finish = () => {
      for (const s of ["stdout", "stderr"] as const) for (const l of lines[s].flush()) log(l, s);
      resolve();
    };
    stream.once("end", finish);
    stream.once("close", finish);
    stream.once("error", reject);
  });
}

/** The last lines of a container's raw log output (framed unless it has a TTY). */
export function logLines(raw: Buffer, tty: boolean, lines: number): string[] {
  const text = tty
    ? raw.toString("utf8")
    : demultiplex(raw)
        .map((f) => f.data.toString("utf8"))
        .join("");
  const out = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (out.at(-1) === "") out.pop();
  return out.slice(-lines);
}
