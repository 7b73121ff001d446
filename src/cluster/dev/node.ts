// One dev cluster node: a dockerd in its own network namespace, with its own data root,
// exec root, pid file and sockets, serving the Docker API on its address with mutual TLS.
import { request } from "node:http";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import type { Pki } from "../tls/pki.js";
import { killAndRemoveCgroup } from "./cgroups.js";
import { alive, readPid, spawnDetached, tail, waitFor } from "./daemon.js";
import type { DevClusterLayout, NodeNames } from "./layout.js";

export function pingSocket(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: "/_ping", timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

export async function nodeRunning(n: NodeNames): Promise<boolean> {
  return alive(await readPid(n.pidFile)) && (await pingSocket(n.socket));
}

/** Starts the node's dockerd unless it is running; true when it had to start it. */
export async function startNode(l: DevClusterLayout, n: NodeNames, pki: Pki): Promise<boolean> {
  if (await nodeRunning(n)) return false;
  const pid = await readPid(n.pidFile);
  if (alive(pid)) {
    // Started but not answering yet (another `up` in flight, or slow start): give it time.
    await waitFor(`dockerd of ${n.name}`, () => pingSocket(n.socket), 60_000);
    return false;
  }
  // A dead dockerd may leave containerd, shims and containers behind: clear them first so the
  // new daemon starts from a clean slate instead of fighting over the same state.
  await killAndRemoveCgroup(`${l.cgroup}/${n.name}`);
  await rm(n.pidFile, { force: true });
  await mkdir(n.dataRoot, { recursive: true, mode: 0o700 });
  await mkdir(n.execRoot, { recursive: true, mode: 0o700 });
  const tls = await pki.issueServer(`node-${n.name}`, {
    ips: [n.address, "127.0.0.1"],
    dns: [n.name, "localhost"],
  });
  await writeFile(
    n.configFile,
    JSON.stringify(
      {
        // Each engine needs its own identity key; the default lives in /etc/docker, shared by all.
        "deprecated-key-path": `${n.dataRoot}/key.json`,
        "log-driver": "json-file",
        "log-opts": { "max-size": "10m", "max-file": "2" },
      },
      null,
      2,
    ),
  );
  const argv = [
    "nsenter",
    `--net=/run/netns/${n.netns}`,
    // Own UTS namespace, so each engine reports its node name rather than the host's.
    "unshare",
    "--uts",
    "/bin/sh",
    "-c",
    `hostname ${n.netns} && exec "$@"`,
    "dockerd",
    "dockerd",
    `--config-file=${n.configFile}`,
    `--data-root=${n.dataRoot}`,
    `--exec-root=${n.execRoot}`,
    `--pidfile=${n.pidFile}`,
    `--host=unix://${n.socket}`,
    `--host=tcp://${n.address}:${l.dockerPort}`,
    "--tlsverify",
    `--tlscacert=${tls.ca}`,
    `--tlscert=${tls.cert}`,
    `--tlskey=${tls.key}`,
    `--cgroup-parent=${n.unitsCgroup}`,
    `--label=wharf.dev.node=${n.name}`,
    "--log-level=warn",
  ];
  // dockerd gives up when its containerd is slow to answer (seen right after a node was
  // killed, while containerd cleans up the dead shims): clear the node's processes and retry.
  for (let attempt = 1; ; attempt++) {
    const pid = await spawnDetached(argv, n.daemonCgroup, n.logFile);
    const deadline = Date.now() + 60_000;
    while (!(await pingSocket(n.socket).catch(() => false))) {
      const exited = !alive(pid);
      if (exited && attempt < 3) break;
      if (exited || Date.now() > deadline) {
        const why = exited ? "exited before answering" : "did not come up within 60 s";
        throw new Error(`dockerd of ${n.name} ${why}; last lines of ${n.logFile}:\n${await tail(n.logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (await pingSocket(n.socket).catch(() => false)) return true;
    await killAndRemoveCgroup(`${l.cgroup}/${n.name}`);
  }
}

/** Simulates a node dying: SIGKILL its dockerd only (containers and shims stay, as on a real crash). */
export async function killNodeDaemon(n: NodeNames): Promise<void> {
  const pid = await readPid(n.pidFile);
  if (alive(pid)) process.kill(pid!, "SIGKILL");
  await waitFor(`dockerd of ${n.name} to exit`, async () => !alive(pid), 10_000);
}

export async function nodeDirsExist(n: NodeNames): Promise<boolean> {
  return existsSync(n.dataRoot) || existsSync(n.execRoot);
}
