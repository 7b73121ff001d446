// Quotas: apps per user, apps per team and units per app. A limit of -1 is unlimited.
import { ForbiddenError, BadRequestError } from "./errors.js";

export interface Quota {
  limit: number;
  inuse: number;
}

export const UNLIMITED = -1;

export function checkCanAdd(q: Quota, adding: number, what: string): void {
  if (q.limit >= 0 && q.inuse + adding > q.limit)
    throw new ForbiddenError(
      `Quota exceeded: ${what} may use at most ${q.limit} (in use: ${q.inuse}). Remove something or ask an admin to raise the quota.`,
    );
}

export function parseLimit(value: string): number {
  const v = value.trim();
  if (!/^-?\d{1,9}$/.test(v))
    throw new BadRequestError(`Invalid limit "${v}": use an integer, or -1 for unlimited.`);
  const n = Number(v);
  if (n < -1) throw new BadRequestError(`Invalid limit "${v}": use an integer, or -1 for unlimited.`);
  return n;
}

/** tsuru refuses (403) a new limit below current use. */
export function checkNewLimit(limit: number, inuse: number): void {
  if (limit >= 0 && limit < inuse)
    throw new ForbiddenError(`New limit is lesser than the current allocated value (${inuse}).`);
}
