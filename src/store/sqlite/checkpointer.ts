// Moves WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the
// COMMIT that crosses 1000 WAL pages, on the writer connection: with better-sqlite3 that
// stalled every request for the page copy and two fsyncs (~90% of COMMIT time, measured with
// bench/api). The writer's auto-checkpoint is switched off and a worker thread with its own
// connection checkpoints after commits instead. If the worker fails, the writer's
// auto-checkpoint comes back.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

const AUTO_CHECKPOINT_PAGES = 1000; // SQLite's default

// Plain JavaScript run with `eval`, so the same code works under tsx (whose loader hooks don't
// reach worker threads on Node 20) and compiled.
const WORKER_SOURCE = `
const { parentPort, workerData: o } = require("node:worker_threads");
const Database = require(o.driver);
const conn = new Database(o.path);
// Waiting blocks only this thread; the writer retries BEGIN IMMEDIATE on its own timer.
conn.pragma("busy_timeout = 2000");
// Checkpoints sync the WAL before and the database after copying pages, as under FULL.
conn.pragma("synchronous = FULL");
let last = 0, timer = null, closed = false;
function checkpoint() {
  timer = null;
  if (closed) return;
  last = Date.now();
  try {
    // PASSIVE never waits: it copies what no reader still needs, concurrently with writes.
    const [r] = conn.pragma("wal_checkpoint(PASSIVE)");
    // Under a steady load the log is never fully copied between two commits, so SQLite never
    // rewinds it; past restartFrames wait for a gap and rewind, or the WAL would keep growing.
    if (r && r.log >= o.restartFrames) conn.pragma("wal_checkpoint(RESTART)");
    parentPort.postMessage({ done: r });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message) });
  }
}
parentPort.on("message", (m) => {
  if (m === "close") {
    closed = true;
    if (timer) clearTimeout(timer);
    conn.close();
    parentPort.close();
    return;
  }
  if (!timer) timer = setTimeout(checkpoint, Math.max(0, last + o.intervalMs - Date.now()));
});
`;

export interface CheckpointerOptions {
  /** Minimum time between two checkpoints, so a steady write load gives few, larger ones. */
  intervalMs?: number;
  /** WAL frames after which a RESTART checkpoint briefly holds writers back to rewind the log. */
  restartFrames?: number;
}

/** PRAGMA wal_checkpoint's answer: frames in the WAL and how many are copied to the database. */
export interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}

export class Checkpointer {
  private worker: Worker | null;
  private closing = false;
  /** Why the worker stopped checkpointing, if it did (diagnostics, tests). */
  failure: string | null = null;
  /** Checkpoints run so far and the last one's result (diagnostics, tests). */
  checkpoints = 0;
  last: CheckpointResult | null = null;
  /** A checkpoint was asked for and the worker has not answered yet. */
  private asked = false;
  /** Batches committed since that ask: they may need the next checkpoint. */
  private since = false;

  constructor(
    private readonly writer: Database.Database,
    path: string,
    opts: CheckpointerOptions = {},
  ) {
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        path,
        intervalMs: opts.intervalMs ?? 200,
        restartFrames: opts.restartFrames ?? 10_000,
      },
    });
    w.unref();
    w.on("message", (m: { error?: string; done?: CheckpointResult }) => {
      this.asked = false;
      if (m.error) this.fallBack(m.error);
      else if (this.since) {
        this.since = false;
        this.committed();
      }
      if (m.done) {
        this.checkpoints++;
        this.last = m.done;
      }
    });
    w.on("error", (e) => this.fallBack(e.message));
    w.on("exit", () => this.fallBack("the checkpoint worker exited"));
    this.worker = w;
    writer.pragma("wal_autocheckpoint = 0");
  }

  /**
   * A batch committed: the worker checkpoints soon (at most once per interval). One message
   * per checkpoint is enough (the worker ignores the rest until it has run), and posting one
   * per batch cost ~3% of the server's CPU under bench/api's write load.
   */
  committed(): void {
    if (!this.worker) return;
    if (this.asked) {
      this.since = true;
      return;
    }
    this.asked = true;
    this.worker.postMessage("commit");
  }

  private fallBack(why: string): void {
    if (this.closing || !this.worker) return;
    this.failure = why;
    const w = this.worker;
    this.worker = null;
    void w.terminate();
    if (this.writer.open) this.writer.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  }

  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = null;
    if (!w) return;
    const exited = new Promise((r) => w.once("exit", r));
    // Unreferenced, the worker would not keep the process alive until it has exited.
    w.ref();
    w.postMessage("close");
    await exited;
  }
}
