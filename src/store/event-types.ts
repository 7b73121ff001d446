// Event records (the operation log and per-target locks) and the generic change feed.

// ---------- events ----------

export interface EventTarget {
  type: string;
  value: string;
}

export interface ExtraTarget {
  target: EventTarget;
  /** Whether this extra target is locked like the main target. */
  lock: boolean;
}

export interface EventKind {
  /** "permission" for user actions (named after the permission), "internal" for system ones. */
  type: "permission" | "internal";
  name: string;
}

export interface EventOwner {
  type: "user" | "team" | "app" | "internal" | "token";
  name: string;
}

export interface CancelInfo {
  owner: string;
  startTime: Date | null;
  ackTime: Date | null;
  reason: string;
  asked: boolean;
  canceled: boolean;
}

export interface EventRecord {
  /** 24 lowercase hex characters (tsuru clients require an ObjectId shape). */
  id: string;
  kind: EventKind;
  target: EventTarget;
  extraTargets: ExtraTarget[];
  owner: EventOwner;
  startTime: Date;
  endTime: Date | null;
  running: boolean;
  error: string;
  log: string;
  startCustomData: unknown;
  endCustomData: unknown;
  otherCustomData: unknown;
  cancelable: boolean;
  cancelInfo: CancelInfo;
  /** Server instance running the event: used to close events a crashed server left running. */
  instanceId: string;
  /** Last heartbeat of the running event (tsuru LockUpdateTime). */
  lockUpdateTime: Date;
}

export interface NewEvent {
  /** Generated when absent. */
  id?: string;
  kind: EventKind;
  target: EventTarget;
  extraTargets?: ExtraTarget[];
  owner: EventOwner;
  /** Lock the main target: fails with LockedError while another running event locks it. */
  lock: boolean;
  cancelable?: boolean;
  startCustomData?: unknown;
  instanceId?: string;
  startTime?: Date;
}

export interface EventFilter {
  kindNames?: string[];
  kindType?: string;
  targetType?: string;
  targetValue?: string;
  ownerName?: string;
  ownerType?: string;
  running?: boolean;
  errorOnly?: boolean;
  /** startTime >= since */
  since?: Date;
  /** startTime <= until */
  until?: Date;
  /**
   * Visibility: the event's main target must be one of these, or (when given) its owner name one of
   * ownerNames. Undefined = no restriction (admin).
   */
  allowed?: { targets: EventTarget[]; ownerNames?: string[] };
  /** Newest first. Default limit 100, max 1000. */
  limit?: number;
  skip?: number;
}

export interface FinishEvent {
  error?: string;
  endCustomData?: unknown;
  endTime?: Date;
}

/** Both given: events matching either are closed (own events, plus anyone's with a dead heartbeat). */
export interface StaleEventOptions {
  /** Close running events started by this instance (a restarted server closes its own). */
  instanceId?: string;
  /** Close running events whose heartbeat (lockUpdateTime) is older than this (any instance). */
  heartbeatBefore?: Date;
}

// ---------- change feed ----------

/** One row of the generic change feed (router table updates and the like). seq increases strictly. */
export interface Change {
  seq: number;
  kind: string;
  payload: unknown;
  createdAt: Date;
}

export interface Subscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Deliver changes with seq > fromSeq. Default: latest (only new changes). */
  fromSeq?: number;
  /** How often to poll the table as a safety net (ms). Default 1000. */
  pollIntervalMs?: number;
}
