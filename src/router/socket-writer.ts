// Writes straight to a TCP socket's native handle, as net.Socket's own Writable does underneath, but
// without the stream machinery around it (per-write state, callbacks and a nextTick per write): for a
// proxy answering small requests that machinery is a measurable share of the CPU per request. A write
// the kernel takes at once, the common case, completes synchronously; the rest is queued by libuv in
// order and tracked here for backpressure. Whenever the socket's Writable holds data of its own (a
// write made before connect, a corked batch), writes go through it so that order is kept.
import type { Socket } from "node:net";

interface WriteReq {
  oncomplete: (status: number) => void;
  buffer: Buffer | null;
}

interface StreamHandle {
  writeLatin1String(req: WriteReq, s: string): number;
  writeBuffer(req: WriteReq, b: Buffer): number;
}

interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  streamBaseState: Int32Array;
  kLastWriteWasAsync: number;
}

// process.binding('stream_wrap') is on Node's allow-list (no deprecation warning by default); if a
// Node version drops it, every write goes through the socket's Writable instead.
function loadBinding(): StreamWrapBinding | undefined {
  try {
    const b = (process as unknown as { binding(name: string): StreamWrapBinding }).binding("stream_wrap");
    if (typeof b.WriteWrap === "function" && b.streamBaseState && typeof b.kLastWriteWasAsync === "number")
      return b;
  } catch {
    // not available
  }
  return undefined;
}

const binding = loadBinding();
/**
 * A request object for a write that completes synchronously is never wrapped by the native side, so
 * one is reused until a write goes asynchronous and keeps it.
 */
let spare: WriteReq | undefined;

/** Queued bytes beyond this ask the producer to wait (net.Socket's default high-water mark). */
const HIGH_WATER = 16 * 1024;

export class SocketWriter {
  /** Bytes of direct writes libuv has queued and not completed yet. */
  private queued = 0;
  private drainCb: (() => void) | undefined;

  constructor(
    private readonly socket: Socket,
    /** Direct writes are for plain TCP handles only (TLS sockets go through their Writable). */
    private readonly direct: boolean,
  ) {
    socket.on("drain", () => this.maybeDrained());
  }

  /** Writes data (strings as latin1). False = the client is slow: wait for onDrain. */
  write(data: string | Buffer): boolean {
    const s = this.socket;
    const handle = (s as unknown as { _handle: StreamHandle | null })._handle;
    if (!binding || !this.direct || !handle || s.writableLength > 0 || s.connecting || s.destroyed) {
      if (typeof data === "string") s.write(data, "latin1");
      else s.write(data);
      return !this.needDrain;
    }
    const req = spare ?? new binding.WriteWrap();
    spare = undefined;
    const err =
      typeof data === "string" ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
    if (err !== 0) {
      spare = req;
      s.destroy();
      return true;
    }
    if (binding.streamBaseState[binding.kLastWriteWasAsync] === 0) {
      spare = req;
      return this.queued < HIGH_WATER;
    }
    // Queued by libuv: keep the buffer alive until the write completes.
    const n = data.length;
    this.queued += n;
    req.buffer = typeof data === "string" ? null : data;
    req.oncomplete = (status: number) => {
      this.queued -= n;
      req.buffer = null;
      if (status < 0) s.destroy();
      else this.maybeDrained();
    };
    return this.queued < HIGH_WATER;
  }

  get needDrain(): boolean {
    return this.queued >= HIGH_WATER || this.socket.writableNeedDrain;
  }

  /** cb runs once, when what was written has been taken (after write() returned false); undefined cancels. */
  onDrain(cb: (() => void) | undefined): void {
    this.drainCb = cb;
  }

  private maybeDrained(): void {
    const cb = this.drainCb;
    if (!cb || this.needDrain) return;
    this.drainCb = undefined;
    cb();
  }
}
