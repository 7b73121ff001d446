// Typed store errors. The API maps them to tsuru status codes (NotFound 404, Conflict 409,
// Locked 409 naming the running event, QuotaExceeded 403); drivers never leak raw errors for these.
import type { EventRecord, Quota, QuotaSubject } from "./types.js";

export class StoreError extends Error {
  override name = "StoreError";
}

export class NotFoundError extends StoreError {
  override name = "NotFoundError";
  constructor(
    readonly entity: string,
    readonly key: string,
    message = `${entity} "${key}" not found`,
  ) {
    super(message);
  }
}

export class ConflictError extends StoreError {
  override name = "ConflictError";
  constructor(
    message: string,
    /** What kind of record conflicted ("team", "app", "cname", ...), when known. */
    readonly entity = "",
    readonly key = "",
  ) {
    super(message);
  }
}

/** Another running event holds a lock on the target. `holder` is that event. */
export class LockedError extends StoreError {
  override name = "LockedError";
  constructor(readonly holder: EventRecord) {
    super(
      `${holder.target.type} "${holder.target.value}" is locked by running event ${holder.id} ` +
        `(${holder.kind.name} by ${holder.owner.name}, started ${holder.startTime.toISOString()})`,
    );
  }
}

export class QuotaExceededError extends StoreError {
  override name = "QuotaExceededError";
  constructor(
    readonly subject: QuotaSubject,
    readonly key: string,
    readonly quota: Quota,
    readonly requested: number,
  ) {
    super(
      `Quota exceeded for ${subject} "${key}": ${quota.inUse} of ${quota.limit} in use, requested ${requested}`,
    );
  }
}
