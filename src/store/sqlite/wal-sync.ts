// Durable commits without blocking the event loop. better-sqlite3 is synchronous, so with
// synchronous=FULL every COMMIT's fsync stalled all requests for the length of a disk flush.
// Instead the writer connection runs synchronous=NORMAL (COMMIT writes the WAL frames but does
// not sync them; checkpoints and WAL-header writes still sync exactly as under FULL) and this
// fsyncs the WAL file on libuv's thread pool before the batch is acknowledged. That is the
// same sync FULL does inside COMMIT, so every acknowledged write survives kill -9 and power
// loss as before.
//
// Under FULL, other connections see a commit only after its sync. To keep that, the read
// connection is held in a read transaction on the snapshot from before COMMIT until the
// flush is done. Connections in other processes (none in the embedded setup) are not held.
import { open, type FileHandle } from "node:fs/promises";
import type Database from "better-sqlite3";
import type { CommitSync } from "./group-commit.js";

export class WalSync implements CommitSync {
  private file: FileHandle | null = null;
  private holding = false;
  private reader: Database.Database | null = null;
  private touch: Database.Statement | null = null;

  /** `walPath` is the database path + "-wal". */
  constructor(private readonly walPath: string) {}

  /** The read-only connection to hold back (opened after migrations, hence not in the constructor). */
  attachReader(reader: Database.Database): void {
    this.reader = reader;
    // Any read starts the snapshot of an open transaction; the schema table always exists.
    this.touch = reader.prepare("SELECT 1 FROM sqlite_master LIMIT 1");
  }

  hold(): void {
    if (!this.reader || this.holding) return;
    this.reader.exec("BEGIN");
    this.holding = true;
    try {
      this.touch!.get();
    } catch (err) {
      this.release();
      throw err;
    }
  }

  async flush(): Promise<void> {
    // The WAL file lives (same inode) as long as any connection is open, so one handle serves
    // every batch; it exists once the first transaction committed.
    this.file ??= await open(this.walPath, "r");
    await this.file.sync();
  }

  release(): void {
    if (!this.holding) return;
    this.holding = false;
    if (this.reader?.inTransaction) this.reader.exec("COMMIT");
  }

  async close(): Promise<void> {
    const f = this.file;
    this.file = null;
    await f?.close();
  }
}
