// How the endpoint names what it creates on engines. Teams pick names freely (unique per
// team); engines get names no other tenant can collide with or guess at: containers
// `wd.<swarm id prefix>`, networks and volumes `wd-<team hash>-<name>`. Handlers translate
// back before anything reaches the caller.
import { createHash, randomBytes } from "node:crypto";

export const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export const newSwarmId = (): string => randomBytes(32).toString("hex");

export const engineContainerName = (swarmId: string): string => `wd.${swarmId.slice(0, 16)}`;

export const teamHash = (team: string): string => createHash("sha256").update(team).digest("hex").slice(0, 8);

export const engineObjectName = (team: string, name: string): string => `wd-${teamHash(team)}-${name}`;

/** The team's name for an engine network or volume, or undefined when it is not the team's. */
export function teamObjectName(team: string, engineName: string): string | undefined {
  const prefix = `wd-${teamHash(team)}-`;
  return engineName.startsWith(prefix) ? engineName.slice(prefix.length) : undefined;
}

const LEFT = [
  "brave",
  "calm",
  "eager",
  "fond",
  "keen",
  "lucid",
  "merry",
  "nifty",
  "quiet",
  "sharp",
  "tidy",
  "zen",
];
const RIGHT = [
  "bell",
  "curie",
  "darwin",
  "euler",
  "gauss",
  "hopper",
  "kepler",
  "lovelace",
  "noether",
  "pascal",
  "turing",
  "volta",
];

/** A docker-style name for a container created without one. */
export function randomName(): string {
  const b = randomBytes(3);
  return `${LEFT[b[0]! % LEFT.length]}_${RIGHT[b[1]! % RIGHT.length]}${b[2]! % 100}`;
}
