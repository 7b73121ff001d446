// A node's network walls through its Docker API: apply a ruleset atomically (one
// iptables-restore transaction, serialized per node by a lock), read the state back for
// `wharf node info` and the reconciler, and create/remove team networks in the order that
// never leaves a bridge without its rules.
import type { Engine } from "../cluster/docker/engine.js";
import type { NodeNetwork } from "../cluster/docker/networks.js";
import {
  NETWORK_LABEL,
  TEAM_LABEL,
  teamNetwork,
  type TeamNetworkNames,
  type WallNetworkKind,
} from "./names.js";
import { FORWARD_CHAIN, INPUT_CHAIN, nodeRuleset, restoreBody, type NodeWallSpec } from "./rules.js";
import { parseWallState, wallStatus, type WallState, type WallStatus } from "./state.js";

const PURPOSE = "network-walls";

// Runs as root in the node's root and network namespace. flock: two appliers (two servers, a
// deploy and the reconciler) on one node take turns. The jumps are added in the same commit as
// the chains they jump to, and only when missing, so a repeat apply changes nothing else.
const APPLY_SCRIPT = `set -e
exec 9>/run/wharf-walls.lock
flock 9
body=$(cat)
jumps=""
iptables -w -C DOCKER-USER -j ${FORWARD_CHAIN} 2>/dev/null || jumps="-I DOCKER-USER 1 -j ${FORWARD_CHAIN}"
iptables -w -C INPUT -j ${INPUT_CHAIN} 2>/dev/null || jumps="$jumps
-I INPUT 1 -j ${INPUT_CHAIN}"
printf '%s\\n%s\\nCOMMIT\\n' "$body" "$jumps" | iptables-restore -w --noflush
`;

const READ_SCRIPT = "iptables-save -t filter";

export interface NodeWallInfo {
  status: WallStatus;
  expectedDigest: string;
  appliedDigest: string | null;
  networks: Array<{ name: string; team: string; kind: string; bridge: string; subnets: string[] }>;
  state: WallState;
}

export class NodeWalls {
  constructor(
    private readonly engine: Engine,
    /** An image on the node with sh and chroot (Wharf's base image, or busybox). */
    private readonly helperImage: string,
  ) {}

  /** Replaces Wharf's chains with the spec's ruleset in one transaction; returns its digest. */
  async apply(spec: NodeWallSpec): Promise<string> {
    const ruleset = nodeRuleset(spec);
    await this.engine.host.removeLeftovers(PURPOSE);
    const r = await this.engine.host.run({
      image: this.helperImage,
      purpose: PURPOSE,
      script: APPLY_SCRIPT,
      input: restoreBody(ruleset),
    });
    if (r.exitCode !== 0) {
      throw new Error(
        `applying the network walls failed (exit ${r.exitCode}): ${r.output.trim().slice(-500)}`,
      );
    }
    return ruleset.digest;
  }

  async readState(): Promise<WallState> {
    const r = await this.engine.host.run({
      image: this.helperImage,
      purpose: PURPOSE,
      script: READ_SCRIPT,
      input: "",
    });
    if (r.exitCode !== 0)
      throw new Error(`reading the node's iptables failed: ${r.output.trim().slice(-300)}`);
    return parseWallState(r.output);
  }

  async networks(): Promise<NodeNetwork[]> {
    return this.engine.networks.list(NETWORK_LABEL);
  }

  /** What `wharf node info` shows: Wharf's networks on the node and whether its rules are in force. */
  async info(spec: NodeWallSpec): Promise<NodeWallInfo> {
    const [state, nets] = await Promise.all([this.readState(), this.networks()]);
    const expected = nodeRuleset(spec);
    return {
      status: wallStatus(state, expected),
      expectedDigest: expected.digest,
      appliedDigest: state.forward.digest,
      networks: nets.map((n) => ({
        name: n.name,
        team: n.labels[TEAM_LABEL] ?? "",
        kind: n.labels[NETWORK_LABEL] ?? "",
        bridge: n.bridge,
        subnets: n.subnets,
      })),
      state,
    };
  }

  /**
   * Rules first (the spec must already name the team's network), then the network: a crash
   * in between leaves rules for a bridge that does not exist yet, which match nothing. A
   * network that exists was made after its rules, so a unit start on it costs one inspect,
   * not a helper container; rules lost since (a node reboot flushes iptables) are the
   * reconciler's to restore, before it starts units on that node (docs/security.md).
   */
  async ensureTeamNetwork(
    spec: NodeWallSpec,
    team: string,
    kind: WallNetworkKind = "unit",
  ): Promise<TeamNetworkNames> {
    const names = teamNetwork(team, kind);
    if (!spec.networks.some((n) => n.bridge === names.bridge)) {
      throw new Error(`the wall spec does not name ${names.network}: add it before creating the network`);
    }
    if (await this.engine.networks.exists(names.network)) return names;
    await this.apply(spec);
    await this.engine.networks.ensureBridge({
      name: names.network,
      bridge: names.bridge,
      labels: { [NETWORK_LABEL]: kind, [TEAM_LABEL]: team },
      interContainer: kind === "unit",
    });
    return names;
  }

  /** The network first (Docker refuses while containers use it), then the rules without it. */
  async removeTeamNetwork(spec: NodeWallSpec, team: string, kind: WallNetworkKind = "unit"): Promise<void> {
    const names = teamNetwork(team, kind);
    if (spec.networks.some((n) => n.bridge === names.bridge)) {
      throw new Error(`the wall spec still names ${names.network}: remove it from the spec first`);
    }
    await this.engine.networks.remove(names.network);
    await this.apply(spec);
  }
}
