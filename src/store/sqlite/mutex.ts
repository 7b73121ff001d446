// A FIFO async mutex: better-sqlite3 has one connection per writer, and an async transaction
// callback yields between statements, so other callers must wait for COMMIT instead of
// interleaving their statements into someone else's transaction.
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((r) => (release = r));
    await prev;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
