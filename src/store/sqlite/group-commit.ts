// Group commit for the single SQLite writer. Transactions queue up; the writer runs everything
// queued so far inside ONE BEGIN IMMEDIATE ... COMMIT, each transaction in its own SAVEPOINT.
// A failing transaction rolls back to its savepoint and fails alone; the others are
// acknowledged only after the shared COMMIT (and its fsync) succeeded, so durability is
// unchanged while one fsync now serves a whole batch instead of one transaction.
import { AsyncResource } from "node:async_hooks";
import type Database from "better-sqlite3";
import type { SqliteExecutor } from "./executor.js";

interface Job {
  fn: (db: SqliteExecutor) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 128;

export class GroupCommitter {
  private queue: Job[] = [];
  private active = false;
  /** Number of BEGIN..COMMIT batches run (diagnostics, tests). */
  batches = 0;

  constructor(
    private readonly conn: Database.Database,
    private readonly writer: SqliteExecutor,
    private readonly begin: () => Promise<void>,
  ) {}

  run<T>(fn: (db: SqliteExecutor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // Run the job in its caller's async context (request-scoped loggers, AsyncLocalStorage).
      const bound = AsyncResource.bind(fn);
      this.queue.push({ fn: bound, resolve: resolve as (v: unknown) => void, reject });
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
        const value = await job.fn(writer);
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
    try {
      conn.exec("COMMIT");
    } catch (err) {
      writer.pendingAfterCommit = null;
      if (conn.inTransaction) conn.exec("ROLLBACK");
      for (const d of done) d.job.reject(err);
      return;
    }
    const callbacks = writer.pendingAfterCommit;
    writer.pendingAfterCommit = null;
    for (const d of done) d.job.resolve(d.value);
    for (const cb of callbacks) cb();
  }
}
