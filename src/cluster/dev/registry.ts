// The cluster registry: Debian's docker-registry (Distribution) on the host end of the
// bridge, with a server certificate from the cluster CA that every engine here trusts.
// With token auth, Wharf is its only token issuer: the registry trusts the certificate of
// the cluster PKI's `registry-token` signing key, and refuses anonymous requests.
import { request } from "node:https";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import type { Pki } from "../tls/pki.js";
import { DEFAULT_ISSUER, DEFAULT_SERVICE, tokenAuthYaml } from "../../registry/config.js";
import { alive, readPid, spawnDetached, tail, waitFor } from "./daemon.js";
import { hostAddress, registryAddress, registryCertsDir, type DevClusterLayout } from "./layout.js";

export type RegistryAuthMode = "none" | "token";

export interface RegistryAuthInfo {
  mode: RegistryAuthMode;
  /** With token auth: the signing key Wharf mints tokens with, and what the registry expects. */
  token?: { keyFile: string; certFile: string; realm: string; service: string; issuer: string };
}

export const TOKEN_SIGNER_NAME = "registry-token";

export function registryPaths(l: DevClusterLayout) {
  return {
    storage: `${l.stateDir}/registry/data`,
    config: `${l.stateDir}/registry/config.yml`,
    pidFile: `${l.stateDir}/registry/registry.pid`,
    logFile: `${l.stateDir}/registry/registry.log`,
    cgroup: `${l.cgroup}/registry`,
  };
}

/** The registry answers /v2/ (200 when open, 401 with a challenge under token auth). */
export function pingRegistry(l: DevClusterLayout, caFile: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: hostAddress(l), port: l.registryPort, path: "/v2/", ca: readFileSync(caFile), timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200 || res.statusCode === 401);
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

/** The realm the registry's challenge names; Wharf's API must serve it there for docker CLI users. */
export function defaultRealm(l: DevClusterLayout, env: NodeJS.ProcessEnv = process.env): string {
  return env.WHARF_REGISTRY_REALM ?? `https://${hostAddress(l)}:8080/registry/token`;
}

/** Starts the registry unless it is answering with this config; `started` when it had to. */
export async function startRegistry(
  l: DevClusterLayout,
  pki: Pki,
  mode: RegistryAuthMode = "none",
): Promise<{ auth: RegistryAuthInfo; started: boolean }> {
  const p = registryPaths(l);
  const tls = await pki.issueServer("registry", { ips: [hostAddress(l), "127.0.0.1"], dns: ["localhost"] });
  // Engines read this at every pull/push, so node dockerds and the host engine trust it at once.
  await mkdir(registryCertsDir(l), { recursive: true });
  await copyFile(tls.ca, `${registryCertsDir(l)}/ca.crt`);
  let auth: RegistryAuthInfo = { mode };
  const authLines: string[] = [];
  if (mode === "token") {
    const signer = await pki.issueSigner(TOKEN_SIGNER_NAME);
    const token = {
      keyFile: signer.key,
      certFile: signer.cert,
      realm: defaultRealm(l),
      service: DEFAULT_SERVICE,
      issuer: DEFAULT_ISSUER,
    };
    auth = { mode, token };
    authLines.push(...tokenAuthYaml({ ...token, rootCertBundle: signer.cert }));
  }
  const config = [
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
    ...authLines,
    "",
  ].join("\n");
  const pid = await readPid(p.pidFile);
  const same = (await readFile(p.config, "utf8").catch(() => "")) === config;
  if (same && alive(pid) && (await pingRegistry(l, tls.ca))) return { auth, started: false };
  if (alive(pid)) process.kill(pid!, "SIGKILL");
  await mkdir(p.storage, { recursive: true, mode: 0o700 });
  await writeFile(p.config, config);
  const newPid = await spawnDetached(["docker-registry", "serve", p.config], p.cgroup, p.logFile);
  await writeFile(p.pidFile, String(newPid));
  try {
    await waitFor("the cluster registry", () => pingRegistry(l, tls.ca), 30_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last lines of ${p.logFile}:\n${await tail(p.logFile)}`);
  }
  return { auth, started: true };
}

export async function removeRegistryTrust(l: DevClusterLayout): Promise<void> {
  await rm(registryCertsDir(l), { recursive: true, force: true });
}
