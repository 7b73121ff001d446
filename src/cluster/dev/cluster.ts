// `wharf dev cluster up|down|status`: a multi-node Docker cluster on one machine.
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { run } from "../../util/exec.js";
import { Pki } from "../tls/pki.js";
import { connectEngine } from "../docker/engine.js";
import { cgroupPids, controllers, killAndRemoveCgroup } from "./cgroups.js";
import { alive, readPid } from "./daemon.js";
import {
  defaultLayout,
  hostAddress,
  MAX_NODES,
  nodeNames,
  registryAddress,
  registryCertsDir,
  type DevClusterLayout,
} from "./layout.js";
import { mountsUnder, unmountAllUnder } from "./mounts.js";
import {
  ensureBridge,
  ensureNodeNetwork,
  listOwnLinks,
  listOwnNamespaces,
  removeBridge,
  removeForwarding,
  removeNodeNetwork,
  ruleComment,
} from "./network.js";
import { killNodeDaemon, nodeRunning, pingSocket, startNode } from "./node.js";
import {
  pingRegistry,
  registryPaths,
  removeRegistryTrust,
  startRegistry,
  type RegistryAuthInfo,
  type RegistryAuthMode,
} from "./registry.js";
import { loadRegistryTokens } from "../../registry/tokens.js";
import { wharfImageBuildAccess } from "../../registry/grants.js";
import { dockerodeAuth, type RegistryCredential } from "../../registry/auth-header.js";

/** What `up` publishes for Wharf, tests and benchmarks: where everything is. */
export interface DevClusterInfo {
  hostAddress: string;
  registry: string;
  /** The base image as nodes pull it from the registry, when the host had it to publish. */
  baseImage: string | null;
  /** dir holds the same material as ca.pem/cert.pem/key.pem (Docker's cert-path layout, WHARF_NODE_TLS_DIR). */
  tls: { ca: string; clientCert: string; clientKey: string; dir: string };
  nodes: Array<{ name: string; address: string; dockerHost: string; dockerPort: number; socket: string }>;
  /** "token": anonymous access is refused and Wharf mints tokens with registryAuth.token.keyFile. */
  registryAuth: RegistryAuthInfo;
}

/** What `up` returns: the cluster, and what this call changed on it. */
export interface DevClusterUp extends DevClusterInfo {
  /** What it had to do ("started n2", "removed n3"); empty when everything was already up. */
  changed: string[];
  /** Nodes beyond the requested count, kept running (only `shrink` removes nodes). */
  beyond: string[];
}

export const CLIENT_CERT_NAME = "wharf-client";
export const BASE_IMAGE = process.env.WHARF_BASE_IMAGE ?? "wharf/base:bookworm";

function infoFile(l: DevClusterLayout): string {
  return `${l.stateDir}/cluster.json`;
}

async function requireTools(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the dev cluster needs root (namespaces, bridges, dockerd)");
  for (const tool of ["dockerd", "docker-registry", "nsenter", "ip", "iptables", "openssl"]) {
    const found = await run("sh", ["-c", `command -v ${tool}`], { allowFailure: true });
    if (found.code !== 0) throw new Error(`${tool} is not installed: run scripts/host-setup.sh first`);
  }
}

function nodeIndexOf(l: DevClusterLayout, netns: string): number | undefined {
  const m = new RegExp(`^${l.prefix}-n(\\d+)$`).exec(netns);
  return m ? Number(m[1]) : undefined;
}

/**
 * The registry's auth mode: WHARF_DEV_REGISTRY_AUTH=token gives Distribution's token auth with
 * Wharf as issuer. "none" stays the default until every pull and push sends a token (the wiring
 * plan in docs/security.md); then the default flips.
 */
export function registryAuthMode(env: NodeJS.ProcessEnv = process.env): RegistryAuthMode {
  const v = env.WHARF_DEV_REGISTRY_AUTH ?? "none";
  if (v !== "none" && v !== "token")
    throw new Error(`WHARF_DEV_REGISTRY_AUTH must be none or token, got "${v}"`);
  return v;
}

/** The cluster's nodes: a namespace or a data root each (a reboot clears namespaces, not data). */
export async function existingNodes(l = defaultLayout()): Promise<number[]> {
  const found = new Set<number>();
  for (const ns of await listOwnNamespaces(l)) {
    const idx = nodeIndexOf(l, ns);
    if (idx !== undefined) found.add(idx);
  }
  const dataRoots = `${l.stateDir}/nodes`;
  for (const entry of existsSync(dataRoots) ? await readdir(dataRoots, { withFileTypes: true }) : []) {
    const m = /^n(\d+)$/.exec(entry.name);
    if (m && entry.isDirectory()) found.add(Number(m[1]));
  }
  return [...found].filter((i) => i >= 1 && i <= MAX_NODES).sort((a, b) => a - b);
}

/**
 * Brings up nodes 1..count, the registry and the network, and starts any existing node that is
 * down. Nodes beyond count stay (they may hold a user's units) unless `shrink` removes them;
 * callers check first that nothing still uses them (see registered.ts).
 */
export async function up(
  count: number,
  l = defaultLayout(),
  opts: { shrink?: boolean; registryAuth?: RegistryAuthMode } = {},
): Promise<DevClusterUp> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
    throw new Error(`--nodes must be a whole number from 1 to ${MAX_NODES}, got ${count}`);
  }
  await requireTools();
  await mkdir(l.stateDir, { recursive: true, mode: 0o700 });
  await mkdir(`${l.stateDir}/nodes`, { recursive: true, mode: 0o700 });
  await mkdir(l.runDir, { recursive: true, mode: 0o700 });
  const pki = new Pki(`${l.stateDir}/pki`);
  await pki.ensureCa("Wharf dev cluster CA");
  const client = await pki.issueClient(CLIENT_CERT_NAME);
  const clientDir = await pki.exportDockerCertDir(CLIENT_CERT_NAME, `${l.stateDir}/pki/client`);

  await ensureBridge(l);
  const changed: string[] = [];
  const registry = await startRegistry(l, pki, opts.registryAuth ?? registryAuthMode());
  if (registry.started) changed.push("started the registry");
  const registryAuth = registry.auth;
  const baseImage = await publishBaseImage(l, registryAuth);

  const beyond = (await existingNodes(l)).filter((i) => i > count);
  if (opts.shrink) {
    for (const idx of beyond) {
      await removeNode(l, idx);
      changed.push(`removed n${idx}`);
    }
  }
  const kept = opts.shrink ? [] : beyond;
  const nodes = [...Array.from({ length: count }, (_, i) => i + 1), ...kept].map((i) => nodeNames(l, i));
  for (const n of nodes) await ensureNodeNetwork(l, n);
  const started = await Promise.all(nodes.map((n) => startNode(l, n, pki)));
  nodes.forEach((n, i) => started[i] && changed.push(`started ${n.name}`));

  const info: DevClusterInfo = {
    hostAddress: hostAddress(l),
    registry: registryAddress(l),
    baseImage,
    tls: { ca: client.ca, clientCert: client.cert, clientKey: client.key, dir: clientDir },
    nodes: nodes.map((n) => ({
      name: n.name,
      address: n.address,
      dockerHost: n.address,
      dockerPort: l.dockerPort,
      socket: n.socket,
    })),
    registryAuth,
  };
  // Written atomically: readers never see half a file.
  await writeFile(`${infoFile(l)}.tmp`, JSON.stringify(info, null, 2));
  await rename(`${infoFile(l)}.tmp`, infoFile(l));
  return { ...info, changed, beyond: kept.map((i) => nodeNames(l, i).name) };
}

/** Makes the host's base image pullable by every node (a no-op push when already there). */
async function publishBaseImage(l: DevClusterLayout, auth: RegistryAuthInfo): Promise<string | null> {
  const host = connectEngine({ kind: "socket", socketPath: "/var/run/docker.sock" });
  if (!(await host.images.exists(BASE_IMAGE))) return null;
  const [repo, tag] = BASE_IMAGE.split(":") as [string, string];
  const target = `${registryAddress(l)}/${repo}`;
  await host.images.tag(BASE_IMAGE, target, tag);
  let cred: RegistryCredential | undefined;
  if (auth.token) {
    const tokens = await loadRegistryTokens(auth.token.keyFile, auth.token);
    cred = { registrytoken: (await tokens.mint("wharf-dev-cluster", wharfImageBuildAccess(repo))).token };
  }
  await host.images.push(`${target}:${tag}`, cred ? { auth: dockerodeAuth(cred).authconfig } : {});
  return `${target}:${tag}`;
}

async function removeNode(l: DevClusterLayout, index: number): Promise<void> {
  const n = nodeNames(l, index);
  await killAndRemoveCgroup(`${l.cgroup}/${n.name}`);
  await unmountAllUnder([n.dataRoot, n.execRoot]);
  await removeNodeNetwork(n);
  await rm(n.dataRoot, { recursive: true, force: true });
  await rm(n.execRoot, { recursive: true, force: true });
  await rm(n.configFile, { force: true });
  await rm(n.logFile, { force: true });
}

/**
 * Removes everything the tool created, found by name and cgroup rather than by a state file,
 * so it also cleans up after an `up` that was killed half-way. Safe to run repeatedly.
 */
export async function down(l = defaultLayout()): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the dev cluster needs root (namespaces, bridges, dockerd)");
  // Processes first (every daemon, shim and container), so nothing re-creates mounts or links.
  await killAndRemoveCgroup(l.cgroup);
  await unmountAllUnder([l.stateDir, l.runDir]);
  for (const ns of await listOwnNamespaces(l)) await run("ip", ["netns", "del", ns]);
  for (const link of await listOwnLinks(l)) {
    if (link !== l.bridge) await run("ip", ["link", "del", link], { allowFailure: true });
  }
  await removeBridge(l);
  await removeForwarding(l);
  await removeRegistryTrust(l);
  await rm(l.stateDir, { recursive: true, force: true });
  await rm(l.runDir, { recursive: true, force: true });
}

export interface DevClusterStatus {
  registry: { address: string; running: boolean };
  nodes: Array<{ name: string; address: string; dockerd: "running" | "stopped" | "unresponsive" }>;
}

export async function status(l = defaultLayout()): Promise<DevClusterStatus> {
  const caFile = `${l.stateDir}/pki/ca.pem`;
  const regPid = await readPid(registryPaths(l).pidFile);
  const registryRunning = alive(regPid) && existsSync(caFile) && (await pingRegistry(l, caFile));
  const nodes: DevClusterStatus["nodes"] = [];
  for (const idx of await existingNodes(l)) {
    const n = nodeNames(l, idx);
    const pidAlive = alive(await readPid(n.pidFile));
    const state = !pidAlive ? "stopped" : (await pingSocket(n.socket)) ? "running" : "unresponsive";
    nodes.push({ name: n.name, address: n.address, dockerd: state });
  }
  return { registry: { address: registryAddress(l), running: registryRunning }, nodes };
}

export async function readClusterInfo(l = defaultLayout()): Promise<DevClusterInfo> {
  const text = await readFile(infoFile(l), "utf8").catch(() => {
    throw new Error("no dev cluster is up: run `wharf dev cluster up` first");
  });
  return JSON.parse(text) as DevClusterInfo;
}

/** Everything of the tool's still on the machine; empty after a clean `down`. */
export async function leftovers(l = defaultLayout()): Promise<string[]> {
  const found: string[] = [];
  for (const ns of await listOwnNamespaces(l)) found.push(`netns ${ns}`);
  for (const link of await listOwnLinks(l)) found.push(`link ${link}`);
  const pids = existsSync(`/sys/fs/cgroup/pids/${l.cgroup}`) ? await cgroupPids(l.cgroup) : [];
  for (const pid of pids) found.push(`process ${pid}`);
  for (const c of await controllers()) {
    if (existsSync(`/sys/fs/cgroup/${c}/${l.cgroup}`)) found.push(`cgroup ${c}/${l.cgroup}`);
  }
  for (const mp of await mountsUnder([l.stateDir, l.runDir])) found.push(`mount ${mp}`);
  for (const dir of [l.stateDir, l.runDir, registryCertsDir(l)])
    if (existsSync(dir)) found.push(`dir ${dir}`);
  for (const table of ["filter", "nat"]) {
    const dump = await run("iptables-save", ["-t", table], { allowFailure: true });
    for (const line of dump.stdout.split("\n")) {
      if (line.includes(`--comment ${ruleComment(l)}`)) found.push(`iptables ${table}: ${line}`);
    }
  }
  // The trailing "/" keeps /run/wharf-tc from matching another layout's /run/wharf-tc7.
  const dockerds = await run("pgrep", ["-af", `dockerd.*${l.runDir}/`], { allowFailure: true });
  for (const line of dockerds.stdout.split("\n")) if (line.trim()) found.push(`dockerd ${line.trim()}`);
  return found;
}

/** Test hooks: a node's dockerd dies / comes back, as a real node would. */
export async function stopNode(index: number, l = defaultLayout()): Promise<void> {
  await killNodeDaemon(nodeNames(l, index));
}

export async function restartNode(index: number, l = defaultLayout()): Promise<void> {
  const pki = new Pki(`${l.stateDir}/pki`);
  const n = nodeNames(l, index);
  if (!(await nodeRunning(n))) await startNode(l, n, pki);
}
