// Node rules with no I/O: metadata validation, tsuru's node-add/update form semantics, and
// the status a node shows in node list.
import type { NodeHealthRecord, NodeRecord } from "../store/types.js";
import { BadRequestError } from "./errors.js";

/** Keys tsuru writes itself (runtime state): users may not set them. */
const RESERVED = new Set(["LastSuccess", "Failures", "LastError", "DisabledUntil", "iaas-id"]);
const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const MAX_KEYS = 50;
const MAX_VALUE = 255;

export function validateNodeMetadata(metadata: Record<string, string>): void {
  const keys = Object.keys(metadata);
  if (keys.length > MAX_KEYS) throw new BadRequestError(`A node takes at most ${MAX_KEYS} metadata keys.`);
  for (const k of keys) {
    if (!KEY.test(k)) {
      throw new BadRequestError(
        `Invalid metadata key "${k}": use letters, digits, '.', '_' or '-' (at most 63, starting with a letter or digit).`,
      );
    }
    if (RESERVED.has(k))
      throw new BadRequestError(`Metadata key "${k}" is kept by Wharf itself and cannot be set.`);
    const v = metadata[k]!;
    if (v.length > MAX_VALUE || [...v].some((c) => c < " " || c === "\x7f")) {
      throw new BadRequestError(
        `Invalid value for metadata "${k}": at most ${MAX_VALUE} printable characters.`,
      );
    }
  }
}

/**
 * tsuru's node-update metadata: a key with value "" is removed, others are set. `pool`
 * and `address` are not metadata here (they have their own fields).
 */
export function mergeNodeMetadata(
  current: Record<string, string>,
  update: Record<string, string>,
): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of Object.entries(update)) {
    if (k === "pool" || k === "address") continue;
    if (v === "") delete out[k];
    else out[k] = v;
  }
  return out;
}

/** Status shown in node list: tsuru's words where they fit, "unhealthy" for a node that stopped answering. */
export function nodeStatus(n: Pick<NodeRecord, "disabled">, health: Pick<NodeHealthRecord, "state">): string {
  if (n.disabled) return "disabled";
  switch (health.state) {
    case "pending":
      return "waiting";
    case "healthy":
      return "ready";
    case "unhealthy":
      return "unhealthy";
  }
}
