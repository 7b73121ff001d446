// Per-pool log driver and node healer settings (pool '' holds the defaults), and per-node TLS
// material given at node add.
import { NotFoundError } from "../errors.js";
import type { NodeTlsRecord, PoolHealingRecord, PoolLogRecord, StoreOps } from "../types.js";
import { type Db, type Row, bool, fromJson, fromMs, str, toJson } from "./db.js";

type PoolSettingsOps = Pick<
  StoreOps,
  | "setPoolLogSettings"
  | "listPoolLogSettings"
  | "setPoolHealing"
  | "listPoolHealing"
  | "setNodeTls"
  | "listNodeTls"
>;

const logRow = (r: Row): PoolLogRecord => ({
  pool: str(r.pool),
  driver: str(r.driver),
  opts: fromJson<Record<string, string>>(r.opts, {}),
  updatedAt: fromMs(r.updated_at),
});

const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

const healingRow = (r: Row): PoolHealingRecord => ({
  pool: str(r.pool),
  enabled: r.enabled === null || r.enabled === undefined ? null : bool(r.enabled),
  maxUnresponsiveSeconds: intOrNull(r.max_unresponsive_s),
  maxSinceSuccessSeconds: intOrNull(r.max_since_success_s),
  updatedAt: fromMs(r.updated_at),
});

const tlsRow = (r: Row): NodeTlsRecord => ({
  address: str(r.address),
  caCert: str(r.ca_cert),
  clientCert: str(r.client_cert),
  clientKeySealed: str(r.client_key_sealed),
});

export function poolSettingsOps(db: Db): PoolSettingsOps {
  return {
    async setPoolLogSettings(s) {
      const now = Date.now();
      await db.run(
        `INSERT INTO pool_log_settings (pool, driver, opts, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (pool) DO UPDATE SET driver = excluded.driver, opts = excluded.opts, updated_at = excluded.updated_at`,
        [s.pool, s.driver, toJson(s.opts), now],
      );
      return { ...s, updatedAt: new Date(now) };
    },
    async listPoolLogSettings() {
      return (await db.all("SELECT * FROM pool_log_settings ORDER BY pool")).map(logRow);
    },
    async setPoolHealing(s) {
      if (s.enabled === null && s.maxUnresponsiveSeconds === null && s.maxSinceSuccessSeconds === null) {
        await db.run("DELETE FROM pool_healing WHERE pool = ?", [s.pool]);
        return null;
      }
      const now = Date.now();
      await db.run(
        `INSERT INTO pool_healing (pool, enabled, max_unresponsive_s, max_since_success_s, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (pool) DO UPDATE SET enabled = excluded.enabled, max_unresponsive_s = excluded.max_unresponsive_s,
           max_since_success_s = excluded.max_since_success_s, updated_at = excluded.updated_at`,
        [s.pool, s.enabled, s.maxUnresponsiveSeconds, s.maxSinceSuccessSeconds, now],
      );
      return { ...s, updatedAt: new Date(now) };
    },
    async listPoolHealing() {
      return (await db.all("SELECT * FROM pool_healing ORDER BY pool")).map(healingRow);
    },
    async setNodeTls(t) {
      if (!(await db.get("SELECT address FROM nodes WHERE address = ?", [t.address])))
        throw new NotFoundError("node", t.address);
      await db.run(
        `INSERT INTO node_tls (address, ca_cert, client_cert, client_key_sealed) VALUES (?, ?, ?, ?)
         ON CONFLICT (address) DO UPDATE SET ca_cert = excluded.ca_cert, client_cert = excluded.client_cert,
           client_key_sealed = excluded.client_key_sealed`,
        [t.address, t.caCert, t.clientCert, t.clientKeySealed],
      );
    },
    async listNodeTls() {
      return (await db.all("SELECT * FROM node_tls ORDER BY address")).map(tlsRow);
    },
  };
}
