// tsuru's metadata groups (provision/node/node.go SplitMetadata): a metadata key/value
// is "common" when every node has the same value, otherwise "exclusive"; nodes with the
// same exclusive map form a group. The HA score spreads an app across groups first.

/** Keys that never take part in grouping: tsuru drops iaas-id and its runtime keys. */
const IGNORED_KEYS = new Set(["iaas-id", "LastSuccess", "Failures", "DisabledUntil", "LastError"]);

export interface GroupSplit {
  /** Group index per input node, aligned with the input order. */
  groupOf: number[];
  /** Number of groups (at least 1). */
  count: number;
  /** True when nodes differ on different sets of keys: tsuru then ignores grouping. */
  unbalanced: boolean;
}

function canonical(m: ReadonlyMap<string, string>): string {
  return JSON.stringify([...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/**
 * Split nodes into metadata groups. Groups are numbered by size, smallest first, like
 * tsuru; a node with no exclusive metadata is "in no group" and counts as group 0.
 */
export function splitMetadata(metadata: readonly Readonly<Record<string, string>>[]): GroupSplit {
  const n = metadata.length;
  // A key/value is common iff every node carries it with that same value.
  const seen = new Map<string, { count: number; values: Set<string> }>();
  for (const m of metadata) {
    for (const [k, v] of Object.entries(m)) {
      if (IGNORED_KEYS.has(k)) continue;
      let s = seen.get(k);
      if (!s) seen.set(k, (s = { count: 0, values: new Set() }));
      s.count++;
      s.values.add(v);
    }
  }
  const isCommon = (k: string): boolean => {
    const s = seen.get(k);
    return s !== undefined && s.count === n && s.values.size === 1;
  };
  const exclusive: Map<string, string>[] = metadata.map((m) => {
    const ex = new Map<string, string>();
    if (n > 1) for (const [k, v] of Object.entries(m)) if (!IGNORED_KEYS.has(k) && !isCommon(k)) ex.set(k, v);
    return ex;
  });

  // Identical exclusive maps never trip the balance check, so compare distinct maps only:
  // O(distinct²) instead of tsuru's O(nodes²).
  const distinct = new Map<string, { ex: Map<string, string>; nodes: number[] }>();
  exclusive.forEach((ex, i) => {
    if (ex.size === 0) return;
    const key = canonical(ex);
    let d = distinct.get(key);
    if (!d) distinct.set(key, (d = { ex, nodes: [] }));
    d.nodes.push(i);
  });
  const groupOf = new Array<number>(n).fill(0);
  const list = [...distinct.entries()];
  for (const [, a] of list) {
    for (const [, b] of list) {
      if (a === b) continue;
      let diff = 0;
      for (const [k, v] of a.ex) if (b.ex.get(k) !== v) diff++;
      if (diff > 0 && (diff < a.ex.size || diff > b.ex.size)) return { groupOf, count: 1, unbalanced: true };
    }
  }
  list.sort((x, y) => x[1].nodes.length - y[1].nodes.length || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  list.forEach(([, d], g) => {
    for (const i of d.nodes) groupOf[i] = g;
  });
  return { groupOf, count: Math.max(1, list.length), unbalanced: false };
}
