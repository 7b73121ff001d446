// Reads a node's walls back from `iptables-save -t filter`: are the jumps into Wharf's chains
// there, which ruleset digest do the chains carry, and is every rule of it present.
import { DIGEST_PREFIX, FORWARD_CHAIN, INPUT_CHAIN, type NodeRuleset } from "./rules.js";

export interface ChainState {
  /** The jump into the chain (DOCKER-USER -> WHARF-FORWARD, INPUT -> WHARF-INPUT). */
  jumped: boolean;
  exists: boolean;
  digest: string | null;
  rules: string[];
}

export interface WallState {
  forward: ChainState;
  input: ChainState;
}

export type WallStatus = "enforced" | "stale" | "missing";

function chain(lines: string[], name: string, from: string): ChainState {
  const rules = lines.filter((l) => l.startsWith(`-A ${name} `));
  const m = new RegExp(`--comment "?${DIGEST_PREFIX} ([0-9a-f]+)"?`).exec(rules[0] ?? "");
  return {
    exists: lines.some((l) => l.startsWith(`:${name} `)),
    jumped: lines.some((l) => l.startsWith(`-A ${from} `) && l.trim().endsWith(`-j ${name}`)),
    digest: m ? m[1]! : null,
    rules,
  };
}

export function parseWallState(iptablesSave: string): WallState {
  const lines = iptablesSave.split("\n").map((l) => l.trimEnd());
  return { forward: chain(lines, FORWARD_CHAIN, "DOCKER-USER"), input: chain(lines, INPUT_CHAIN, "INPUT") };
}

/**
 * enforced: both jumps and exactly the expected rules; stale: Wharf's chains are in force but
 * hold another ruleset (a change not applied yet); missing: a chain or a jump is absent.
 */
export function wallStatus(state: WallState, expected: NodeRuleset): WallStatus {
  const { forward: f, input: i } = state;
  if (!f.exists || !i.exists || !f.jumped || !i.jumped || f.digest === null || i.digest === null)
    return "missing";
  const same = (got: string[], want: string[]) =>
    got.length === want.length && got.every((l, k) => normalize(l) === normalize(want[k]!));
  return same(f.rules, expected.forward) && same(i.rules, expected.input) ? "enforced" : "stale";
}

// iptables-save adds "-m tcp" and the default reject type, prints "/32" on -d but not on
// --ctorigdst, and quotes comments: compare with those differences removed.
function normalize(rule: string): string {
  return rule
    .replace(/ -m tcp\b/g, "")
    .replace(/\/32\b/g, "")
    .replace(/"/g, "")
    .replace(/ --reject-with icmp-port-unreachable/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
