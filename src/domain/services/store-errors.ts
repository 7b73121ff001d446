// Store errors carry an entity and key; here they become WharfErrors with tsuru's
// status codes and a sentence. Anything else propagates as an internal error.
import * as se from "../../store/errors.js";
import { ConflictError, ForbiddenError, NotFoundError, WharfError } from "../errors.js";

export function fromStoreError(e: unknown): unknown {
  if (e instanceof WharfError) return e;
  if (e instanceof se.LockedError) {
    const h = e.holder;
    return new ConflictError(
      `${h.target.type} "${h.target.value}" is locked by running event ${h.id} (${h.kind.name} by ${h.owner.name}, started ${h.startTime.toISOString()}): wait for it to finish, then try again.`,
    );
  }
  if (e instanceof se.NotFoundError) return new NotFoundError(`${capital(e.entity)} "${e.key}" not found.`);
  if (e instanceof se.ConflictError) return new ConflictError(e.message);
  if (e instanceof se.QuotaExceededError)
    return new ForbiddenError(
      `Quota exceeded: ${e.subject} "${e.key}" uses ${e.quota.inUse} of ${e.quota.limit}. Free some or ask an admin to raise the quota.`,
    );
  return e;
}

function capital(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : "Record";
}

/** Run fn and translate store errors on the way out. */
export async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromStoreError(e);
  }
}
