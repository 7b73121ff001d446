// Assembles every record operation over one Db (a transaction or a read connection).
import type { StoreOps } from "../types.js";
import { appOps } from "./apps-ops.js";
import { planOps, platformOps, poolOps } from "./catalog-ops.js";
import { type ChangeSignal, changeOps } from "./changes-ops.js";
import type { Db } from "./db.js";
import { eventOps } from "./events-ops.js";
import { nodeOps } from "./nodes-ops.js";
import { certificateOps } from "./certificates-ops.js";
import { deployOps } from "./deploys-ops.js";
import { quotaOps } from "./quotas-ops.js";
import { serviceOps } from "./services-ops.js";
import { serviceContainerOps } from "./service-containers-ops.js";
import { roleOps, teamOps } from "./teams-ops.js";
import { tokenOps, userOps } from "./users-ops.js";
import { logOps } from "./logs-ops.js";
import { agentOps } from "./agents-ops.js";
import { accountOps } from "./accounts-ops.js";
import { eventPolicyOps } from "./event-policy-ops.js";
import { poolSettingsOps } from "./pool-settings-ops.js";
import { metricOps } from "./metrics-ops.js";
import { dockerOps } from "./docker-ops.js";

// Building the ops object creates ~100 closures; a long-lived executor (the SQLite writer, a
// read pool) reuses one instead of paying that, plus the GC, on every transaction.
const cache = new WeakMap<Db, StoreOps>();

export function makeOps(db: Db, signal?: ChangeSignal): StoreOps {
  let ops = cache.get(db);
  if (!ops) {
    ops = buildOps(db, signal);
    cache.set(db, ops);
  }
  return ops;
}

function buildOps(db: Db, signal?: ChangeSignal): StoreOps {
  return {
    ...userOps(db),
    ...tokenOps(db),
    ...teamOps(db),
    ...roleOps(db),
    ...poolOps(db),
    ...platformOps(db),
    ...planOps(db),
    ...appOps(db),
    ...quotaOps(db),
    ...nodeOps(db),
    ...certificateOps(db),
    ...deployOps(db),
    ...serviceOps(db),
    ...serviceContainerOps(db),
    ...eventOps(db),
    ...logOps(db),
    ...agentOps(db),
    ...accountOps(db),
    ...eventPolicyOps(db),
    ...poolSettingsOps(db),
    ...metricOps(db),
    ...dockerOps(db),
    ...changeOps(db, signal),
  };
}

/**
 * Operations that only read. Outside a transaction they may run on a read connection/pool
 * instead of taking the single SQLite writer or a PostgreSQL BEGIN/COMMIT round trip.
 */
export function isReadOnlyOp(name: string): boolean {
  return /^(get|find|list)/.test(name) || name === "changesSince" || name === "latestChangeSeq";
}

/**
 * Writes that are exactly one statement (atomic without a transaction). Event log appends are
 * the hot one: a streaming operation appends a line per step.
 */
const SINGLE_STATEMENT = new Set([
  "appendEventLog",
  "setEventOtherData",
  "touchToken",
  "touchRunningEvents",
  "updateUserPassword",
  "setNodeHealth",
  "recordNodeAgentReport",
]);

export function isSingleStatementOp(name: string): boolean {
  return SINGLE_STATEMENT.has(name);
}
