// What puts a team's build behind the build walls: every RUN step of the classic builder and
// every hook container runs on the team's build network (`wharf-build-<team>`, inter-container
// traffic off), whose rules (rules.ts) let it reach the internet or a mirror but no unit, no
// other build, no node's Docker API, no registry and no Wharf internal address.
//
// No registry credential ever reaches a build: the builder is never given X-Registry-Config.
// The images a Dockerfile names are authorized (domain/services/image-policy.ts) and pulled
// before the build with a pull token for this call only, and the build runs with pull off,
// so it finds them in the node's cache. The push of the result is a separate Engine call from
// Wharf with a push token for the app's repository only; nothing inside the build can push.
import { teamNetwork } from "./names.js";

export interface BuildWallOptions {
  /** POST /build `networkmode`: the network of every RUN step. */
  networkmode: string;
  /** POST /build `pull`: never re-pull inside the build (that would need a credential). */
  pull: false;
}

/** Options to spread into the Engine's build call of a build for `team`. */
export function buildWallOptions(team: string): BuildWallOptions {
  return { networkmode: teamNetwork(team, "build").network, pull: false };
}

/** HostConfig.NetworkMode of a build's hook container (hooks.build) for `team`. */
export function buildHookNetwork(team: string): string {
  return teamNetwork(team, "build").network;
}
