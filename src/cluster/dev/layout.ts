// Names and paths of everything the dev cluster creates. Every resource is named from
// here, so `down` can find and remove exactly these (and nothing else) even after a
// crashed `up` that never wrote any state.

export interface DevClusterLayout {
  /** Prefix of network namespaces, links and cgroups; identifies the tool's resources. */
  prefix: string;
  /** Host bridge joining the node namespaces. */
  bridge: string;
  /** The private /24 the tool owns, as its first three octets ("10.213.7"). */
  subnet24: string;
  /** State: PKI, node data roots, registry storage. */
  stateDir: string;
  /** Runtime: exec roots, sockets, pid files (kept short: unix socket paths are limited). */
  runDir: string;
  registryPort: number;
  dockerPort: number;
  /** cgroup (v1) path, relative to each controller's root, holding every process the tool starts. */
  cgroup: string;
}

export function defaultLayout(env: NodeJS.ProcessEnv = process.env): DevClusterLayout {
  const subnet = env.WHARF_DEV_SUBNET ?? "10.213.7.0/24";
  const m = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.0\/24$/.exec(subnet);
  if (!m) throw new Error(`WHARF_DEV_SUBNET must be a /24 written as A.B.C.0/24, got "${subnet}"`);
  const prefix = env.WHARF_DEV_PREFIX ?? "wdv";
  if (!/^[a-z][a-z0-9]{1,5}$/.test(prefix)) {
    // Link names are limited to 15 characters: "<prefix>-n200-h" must fit.
    throw new Error(`WHARF_DEV_PREFIX must be 2 to 6 lowercase letters or digits, got "${prefix}"`);
  }
  return {
    prefix,
    bridge: `${prefix}-br0`,
    subnet24: m[1]!,
    stateDir: env.WHARF_DEV_STATE_DIR ?? "/var/lib/wharf-dev",
    runDir: env.WHARF_DEV_RUN_DIR ?? "/run/wharf-dev",
    registryPort: 5000,
    dockerPort: 2376,
    cgroup: `wharf-${prefix}`,
  };
}

export interface NodeNames {
  name: string;
  index: number;
  netns: string;
  vethHost: string;
  vethNode: string;
  address: string;
  dataRoot: string;
  execRoot: string;
  pidFile: string;
  socket: string;
  configFile: string;
  logFile: string;
  /** cgroup for the node's daemons (dockerd, containerd, shims). */
  daemonCgroup: string;
  /** cgroup parent for the node's containers. */
  unitsCgroup: string;
}

export const MAX_NODES = 200;

export function nodeNames(l: DevClusterLayout, index: number): NodeNames {
  if (!Number.isInteger(index) || index < 1 || index > MAX_NODES) {
    throw new Error(`node index must be an integer from 1 to ${MAX_NODES}, got ${index}`);
  }
  const name = `n${index}`;
  return {
    name,
    index,
    netns: `${l.prefix}-${name}`,
    vethHost: `${l.prefix}-${name}-h`,
    vethNode: `${l.prefix}-${name}-c`,
    // .1 is the host bridge (and registry); nodes start at .11
    address: `${l.subnet24}.${10 + index}`,
    dataRoot: `${l.stateDir}/nodes/${name}`,
    execRoot: `${l.runDir}/${name}`,
    pidFile: `${l.runDir}/${name}/dockerd.pid`,
    socket: `${l.runDir}/${name}/docker.sock`,
    configFile: `${l.stateDir}/nodes/${name}.daemon.json`,
    logFile: `${l.stateDir}/nodes/${name}.log`,
    daemonCgroup: `${l.cgroup}/${name}/daemon`,
    unitsCgroup: `/${l.cgroup}/${name}/units`,
  };
}

export function hostAddress(l: DevClusterLayout): string {
  return `${l.subnet24}.1`;
}

export function registryAddress(l: DevClusterLayout): string {
  return `${hostAddress(l)}:${l.registryPort}`;
}

/** Where every engine on this machine looks for the CA of a registry (root's docker config dir). */
export function registryCertsDir(l: DevClusterLayout): string {
  return `/etc/docker/certs.d/${registryAddress(l)}`;
}
