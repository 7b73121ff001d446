// The cluster registry: Debian's docker-registry (Distribution) on the host end of the
// bridge, with a server certificate from the cluster CA that every engine here trusts.
import { request } from "node:https";
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import type { Pki } from "../tls/pki.js";
import { alive, readPid, spawnDetached, tail, waitFor } from "./daemon.js";
import { hostAddress, registryAddress, registryCertsDir, type DevClusterLayout } from "./layout.js";

export function registryPaths(l: DevClusterLayout) {
  return {
    storage: `${l.stateDir}/registry/data`,
    config: `${l.stateDir}/registry/config.yml`,
    pidFile: `${l.stateDir}/registry/registry.pid`,
    logFile: `${l.stateDir}/registry/registry.log`,
    cgroup: `${l.cgroup}/registry`,
  };
}

export function pingRegistry(l: DevClusterLayout, caFile: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: hostAddress(l), port: l.registryPort, path: "/v2/", ca: readFileSync(caFile), timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on("error", () => resolve(false));
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

/** Starts the registry unless it is answering; true when it had to start it. */
export async function startRegistry(l: DevClusterLayout, pki: Pki): Promise<boolean> {
  const p = registryPaths(l);
  const tls = await pki.issueServer("registry", { ips: [hostAddress(l), "127.0.0.1"], dns: ["localhost"] });
  // Engines read this at every pull/push, so node dockerds and the host engine trust it at once.
  await mkdir(registryCertsDir(l), { recursive: true });
  await copyFile(tls.ca, `${registryCertsDir(l)}/ca.crt`);
  const pid = await readPid(p.pidFile);
  if (alive(pid) && (await pingRegistry(l, tls.ca))) return false;
  if (alive(pid)) process.kill(pid!, "SIGKILL");
  await mkdir(p.storage, { recursive: true, mode: 0o700 });
  await writeFile(
    p.config,
    [
      "version: 0.1",
      "log:",
      "  level: warn",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${p.storage}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: ${registryAddress(l)}`,
      "  tls:",
      `    certificate: ${tls.cert}`,
      `    key: ${tls.key}`,
      "",
    ].join("\n"),
  );
  const newPid = await spawnDetached(["docker-registry", "serve", p.config], p.cgroup, p.logFile);
  await writeFile(p.pidFile, String(newPid));
  try {
    await waitFor("the cluster registry", () => pingRegistry(l, tls.ca), 30_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last lines of ${p.logFile}:\n${await tail(p.logFile)}`);
  }
  return true;
}

export async function removeRegistryTrust(l: DevClusterLayout): Promise<void> {
  await rm(registryCertsDir(l), { recursive: true, force: true });
}
