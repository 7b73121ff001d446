// Names of the Docker networks Wharf keeps per team on each node. The bridge name is fixed
// (com.docker.network.bridge.name), so rules can name an interface before the network
// exists: rules go in first, then the network, and a bridge never runs without its walls.
import { createHash } from "node:crypto";

export type WallNetworkKind = "unit" | "build";

export const NETWORK_LABEL = "wharf.network";
export const TEAM_LABEL = "wharf.team";

const hash = (s: string) => createHash("sha256").update(s).digest("hex");

export interface TeamNetworkNames {
  kind: WallNetworkKind;
  team: string;
  /** Docker network name: wharf-team-<team> / wharf-build-<team>, made Docker-safe. */
  network: string;
  /** Linux bridge name, at most 15 characters. */
  bridge: string;
}

export function teamNetwork(team: string, kind: WallNetworkKind = "unit"): TeamNetworkNames {
  if (!team) throw new Error("a team network needs a team name");
  const h = hash(`${kind}:${team}`);
  // Docker allows [a-zA-Z0-9][a-zA-Z0-9_.-]; tsuru team names may also hold "@" and "+".
  const safe = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(team)
    ? team
    : `${team.replace(/[^a-zA-Z0-9_.-]/g, "_")}-${h.slice(0, 8)}`;
  return {
    kind,
    team,
    network: `wharf-${kind === "unit" ? "team" : "build"}-${safe}`,
    bridge: `${kind === "unit" ? "wt" : "wb"}-${h.slice(0, 12)}`,
  };
}
