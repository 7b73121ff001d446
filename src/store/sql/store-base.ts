// Turns a driver (transactions + a read executor + change wake-ups) into a Store.
// Each StoreOps method outside tx() runs as its own transaction (or on the read side when it
// only reads), so multi-statement operations such as createApp are atomic on their own.
// Every transaction publishes, before it commits, the routes of the apps its writes marked
// (src/store/routes.ts): route publication lives here and nowhere else.
import { AsyncLocalStorage } from "node:async_hooks";
import type {
  Change,
  Leadership,
  Store,
  StoreKind,
  StoreOps,
  StoreTx,
  SubscribeOptions,
  Subscription,
} from "../types.js";
import type { ChangeSignal } from "./changes-ops.js";
import type { Db } from "./db.js";
import { isReadOnlyOp, isSingleStatementOp, makeOps } from "./ops.js";
import { publishRoutes, takeMarkedRoutes } from "../routes.js";

export interface Driver {
  readonly kind: StoreKind;
  /** Run fn inside one transaction on the writer. */
  transaction<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Executor for reads outside a transaction (sees committed data only). */
  readonly reader: Db;
  readonly signal: ChangeSignal;
  /** Optional: run a single-statement write without BEGIN/COMMIT (saves two PostgreSQL round trips). */
  autocommit?<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  /** Leadership among servers (Store.tryLeadership); absent: one server, always granted. */
  tryLeadership?(name: string): Promise<Leadership | null>;
  /** Register a wake-up for new changes; returns an unregister function. */
  onChangeHint(cb: () => void): Promise<() => Promise<void>>;
  migrationVersions(): Promise<number[]>;
  close(): Promise<void>;
}

const NO_GUARD = { getStore: (): true | undefined => undefined, run: <R>(_v: true, f: () => R): R => f() };

function txGuardEnabled(): boolean {
  const v = process.env.WHARF_STORE_TX_GUARD;
  return v === "1" || (v !== "0" && process.env.NODE_TEST_CONTEXT !== undefined);
}

export function buildStore(driver: Driver): Store {
  const readOps = makeOps(driver.reader, driver.signal);
  // Calling `store` (not `t`) for a write inside tx() would wait for the tx itself on SQLite and
  // silently run outside it on PostgreSQL: fail loudly instead. The check needs
  // AsyncLocalStorage, which on Node 20 turns on promise hooks for every promise in the process
  // (measured with bench/api: ~15-30% of a cached GET's server CPU), so it runs under the test
  // runner (which sets NODE_TEST_CONTEXT) or with WHARF_STORE_TX_GUARD=1, where it catches the
  // mistake, and not in production.
  const inTx = txGuardEnabled() ? new AsyncLocalStorage<true>() : NO_GUARD;
  const transaction = <T>(fn: (ops: StoreOps) => Promise<T>): Promise<T> => {
    if (inTx.getStore())
      return Promise.reject(
        new Error("store write called inside store.tx(): use the transaction handle `t`"),
      );
    return driver.transaction((db) =>
      inTx.run(true, async () => {
        const ops = makeOps(db, driver.signal);
        // Marks a failed transaction left on this executor are not this one's.
        takeMarkedRoutes(db);
        const value = await fn(ops);
        const apps = takeMarkedRoutes(db);
        if (apps.length) await publishRoutes(ops, apps);
        return value;
      }),
    );
  };
  const subscriptions = new Set<Subscription>();
  const base = {
    kind: driver.kind,
    tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T> {
      return transaction(fn);
    },
    async subscribeChanges(
      onChange: (c: Change) => void | Promise<void>,
      opts: SubscribeOptions = {},
    ): Promise<Subscription> {
      const sub = await subscribe(driver, readOps, onChange, opts);
      subscriptions.add(sub);
      return {
        async close() {
          subscriptions.delete(sub);
          await sub.close();
        },
      };
    },
    tryLeadership(name: string): Promise<Leadership | null> {
      if (!/^[a-z0-9-]{1,64}$/.test(name)) throw new Error(`invalid leadership name "${name}"`);
      if (driver.tryLeadership) return driver.tryLeadership(name);
      // Never lost, nothing to release.
      return Promise.resolve({ lost: new Promise<void>(() => undefined), release: async () => undefined });
    },
    migrationVersions: () => driver.migrationVersions(),
    async close() {
      for (const s of [...subscriptions]) await s.close();
      subscriptions.clear();
      await driver.close();
    },
  };
  const ops = {} as Record<string, unknown>;
  const autocommit = driver.autocommit?.bind(driver);
  for (const name of Object.keys(readOps) as (keyof StoreOps)[]) {
    const single = autocommit && isSingleStatementOp(name);
    ops[name] = isReadOnlyOp(name)
      ? (readOps[name] as (...a: unknown[]) => unknown)
      : single
        ? (...args: unknown[]) => {
            if (inTx.getStore())
              return Promise.reject(
                new Error("store write called inside store.tx(): use the transaction handle `t`"),
              );
            return autocommit((db) =>
              (makeOps(db, driver.signal)[name] as (...a: unknown[]) => Promise<unknown>)(...args),
            );
          }
        : (...args: unknown[]) =>
            transaction((t) => (t[name] as (...a: unknown[]) => Promise<unknown>)(...args));
  }
  return Object.assign(ops as unknown as StoreOps, base);
}

/**
 * Follows the change table from a seq. Wake-ups (NOTIFY, in-process emitter) only make delivery
 * prompt; the table is the truth, so missed wake-ups cost at most one poll interval.
 */
async function subscribe(
  driver: Driver,
  reads: StoreOps,
  onChange: (c: Change) => void | Promise<void>,
  opts: SubscribeOptions,
): Promise<Subscription> {
  let last = opts.fromSeq ?? (await reads.latestChangeSeq());
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;

  async function drain(): Promise<void> {
    do {
      again = false;
      for (;;) {
        if (closed) return;
        const batch = await reads.changesSince(last, 500);
        for (const c of batch) {
          if (closed) return;
          // If the handler throws, `last` stays put and the change is retried on the next wake-up.
          await onChange(c);
          last = c.seq;
        }
        if (batch.length < 500) break;
      }
    } while (again && !closed);
  }
  function wake(): void {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
  }

  const unhook = await driver.onChangeHint(wake);
  const timer = setInterval(wake, opts.pollIntervalMs ?? 1000);
  timer.unref();
  wake();
  return {
    async close() {
      closed = true;
      clearInterval(timer);
      await unhook();
      await running;
    },
  };
}
