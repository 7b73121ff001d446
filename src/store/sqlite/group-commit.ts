// Group commit for the single SQLite writer. Transactions queue up; the writer runs everything
// queued so far inside ONE BEGIN IMMEDIATE ... COMMIT, each transaction in its own SAVEPOINT.
// A failing transaction rolls back to its savepoint and fails alone; the others are
// acknowledged only after the shared COMMIT (and its fsync) succeeded, so durability is
// unchanged while one fsync now serves a whole batch instead of one transaction.
//
// The fsync itself is a CommitSync's job (see wal-sync.ts): it runs off the event loop, so
// requests keep being served (and keep queueing transactions for the next batch) while the
// disk flushes. Batches never overlap: the next BEGIN waits for the previous batch's flush.
import { AsyncResource } from "node:async_hooks";
import type Database from "better-sqlite3";
import type { SqliteExecutor } from "./executor.js";

interface Job {
  fn: (db: SqliteExecutor) => Promise<unknown>;
  /** The caller's async context, in which fn runs. */
  scope: AsyncResource;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 128;

/** How a committed batch becomes durable, and when readers may see it. */
export interface CommitSync {
  /** Just before COMMIT: keep readers on the current snapshot (they must not see the batch yet). */
  hold(): void;
  /** After COMMIT: make the batch durable (fsync). Acknowledgements wait for it. */
  flush(): Promise<void>;
  /** The batch is durable (or was not committed): readers may move on to the latest data. */
  release(): void;
}

/** SQLite's own synchronous setting does the syncing inside COMMIT: nothing to add. */
export const IN_COMMIT: CommitSync = { hold() {}, flush: async () => {}, release() {} };

export class GroupCommitter {
  private queue: Job[] = [];
  private active = false;
  /** Number of BEGIN..COMMIT batches run (diagnostics, tests). */
  batches = 0;
  /** Set when a flush failed: nothing more is written (see runBatch). */
  private failed: Error | null = null;

  constructor(
    private readonly conn: Database.Database,
    private readonly writer: SqliteExecutor,
    private readonly begin: () => Promise<void>,
    private readonly sync: CommitSync = IN_COMMIT,
  ) {}

  run<T>(fn: (db: SqliteExecutor) => Promise<T>): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<T>((resolve, reject) => {
      // Run the job in its caller's async context (request-scoped loggers, AsyncLocalStorage).
      // A plain AsyncResource: AsyncResource.bind also defines a deprecated accessor on every
      // bound function, which showed up in bench/api's write profile.
      const scope = new AsyncResource("wharf-store-tx");
      this.queue.push({ fn, scope, resolve: resolve as (v: unknown) => void, reject });
      if (!this.active) void this.drain();
    });
  }

  /** Resolves when everything queued so far has been committed or failed. */
  async idle(): Promise<void> {
    while (this.active) await new Promise((r) => setTimeout(r, 1));
  }

  private async drain(): Promise<void> {
    this.active = true;
    // `active` must drop in the same tick the queue is seen empty, or a job queued in between
    // would find the drainer "active" and never run.
    try {
      // A transaction runs entirely in microtasks, so without this pause each batch would hold
      // only the transaction that started the drain: the requests read in the same turn of
      // the event loop queue theirs first and share its COMMIT. Under FULL the flush of one
      // batch gathers the next; under NORMAL (no flush to wait for) this is the only gathering.
      await new Promise((r) => setImmediate(r));
      while (this.queue.length) {
        this.batches++;
        await this.runBatch(this.queue.splice(0, MAX_BATCH));
      }
    } finally {
      this.active = false;
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    const { conn, writer } = this;
    try {
      await this.begin();
    } catch (err) {
      for (const j of batch) j.reject(err);
      return;
    }
    writer.pendingAfterCommit = [];
    const done: { job: Job; value: unknown }[] = [];
    for (const job of batch) {
      const callbacks = writer.pendingAfterCommit.length;
      conn.exec("SAVEPOINT wharf_tx");
      try {
        const value = await job.scope.runInAsyncScope(job.fn, null, writer);
        conn.exec("RELEASE wharf_tx");
        done.push({ job, value });
      } catch (err) {
        writer.pendingAfterCommit.length = callbacks;
        if (!conn.inTransaction) {
          // SQLite aborted the whole transaction (I/O error, disk full): nothing here was kept.
          writer.pendingAfterCommit = null;
          job.reject(err);
          for (const d of done) d.job.reject(err);
          for (const j of batch.slice(batch.indexOf(job) + 1)) this.queue.unshift(j);
          return;
        }
        conn.exec("ROLLBACK TO wharf_tx");
        conn.exec("RELEASE wharf_tx");
        job.reject(err);
      }
    }
    const callbacks = writer.pendingAfterCommit;
    writer.pendingAfterCommit = null;
    this.sync.hold();
    try {
      conn.exec("COMMIT");
    } catch (err) {
      this.sync.release();
      if (conn.inTransaction) conn.exec("ROLLBACK");
      for (const d of done) d.job.reject(err);
      return;
    }
    try {
      if (done.length) await this.sync.flush();
    } catch (err) {
      // After a failed fsync the kernel may have dropped the dirty pages: whether the batch
      // is on disk is unknown. Like PostgreSQL, refuse to go on: no acknowledgement, no more
      // writes, and readers stay on the snapshot from before the batch (no release).
      this.failed = new Error(
        `the SQLite write-ahead log could not be synced to disk (${(err as Error).message}): ` +
          "writes are refused until the server is restarted",
      );
      for (const d of done) d.job.reject(this.failed);
      for (const j of this.queue.splice(0)) j.reject(this.failed);
      return;
    }
    this.sync.release();
    for (const d of done) d.job.resolve(d.value);
    for (const cb of callbacks) cb();
  }
}
