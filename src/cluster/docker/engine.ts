// The one adapter to Docker engines: an Engine is one node's engine, as one small client per
// Docker concern (testcontainers-node style). Everything outside this folder reaches Docker
// through it; dockerode appears nowhere else (the build checks it). Node engines are reached
// over mutual TLS; plain TCP only when the caller explicitly opts into it (`--insecure`).
import Docker from "dockerode";
import type { TlsMaterial } from "../tls/pki.js";
import { connection, onTransport, withIdleTimeout, type RegistryAuthFor } from "./connection.js";
import { containerClient, type ContainerClient } from "./containers.js";
import { eventClient, type EventClient } from "./events.js";
import { execClient, type ExecClient } from "./exec.js";
import { imageClient, type ImageClient } from "./images.js";
import { networkClient, type NetworkClient } from "./networks.js";
import { hostClient, type HostClient } from "./host-command.js";
import { systemClient, type SystemClient } from "./system.js";
import { volumeClient, type VolumeClient } from "./volumes.js";

export type { RegistryAuthFor };

export interface Engine {
  readonly containers: ContainerClient;
  readonly images: ImageClient;
  readonly exec: ExecClient;
  readonly events: EventClient;
  readonly networks: NetworkClient;
  readonly volumes: VolumeClient;
  readonly system: SystemClient;
  /** Commands on the node's host (network walls). */
  readonly host: HostClient;
}

export type EngineAddress =
  | { kind: "socket"; socketPath: string }
  | { kind: "tcp"; host: string; port: number; tls: TlsMaterial }
  | { kind: "tcp"; host: string; port: number; insecure: true };

export class InsecureEngineError extends Error {}

export interface EngineOptions {
  /** Idle timeout of ordinary calls (long calls and changes use copies with their own). */
  timeoutMs?: number;
  /** Auth for pulls and pushes (src/registry). */
  authFor?: RegistryAuthFor;
  /** Told of every request's transport outcome: the error, or null when the engine answered. */
  onTransport?: (err: unknown) => void;
}

/** A raw dockerode client: for this adapter, and for tests that inspect an engine directly. */
export function dockerClient(addr: EngineAddress, timeoutMs = 30_000): Docker {
  if (addr.kind === "socket") return new Docker({ socketPath: addr.socketPath, timeout: timeoutMs });
  if ("tls" in addr) {
    return new Docker({
      protocol: "https",
      host: addr.host,
      port: addr.port,
      ca: addr.tls.ca,
      cert: addr.tls.cert,
      key: addr.tls.key,
      timeout: timeoutMs,
    });
  }
  if (addr.insecure !== true) {
    throw new InsecureEngineError(
      `refusing plain TCP to ${addr.host}:${addr.port}: give TLS material, or pass --insecure to accept an unauthenticated engine`,
    );
  }
  return new Docker({ protocol: "http", host: addr.host, port: addr.port, timeout: timeoutMs });
}

/** The Engine of a dockerode client. */
export function dockerEngine(docker: Docker, o: Pick<EngineOptions, "authFor" | "onTransport"> = {}): Engine {
  if (o.onTransport) onTransport(docker, o.onTransport);
  const engine = engineOf(docker, o.authFor);
  // The copy shares the modem's dial, so its requests count for the node's health too.
  let changes: Engine | undefined;
  forChangesOf.set(
    engine,
    () => (changes ??= engineOf(withIdleTimeout(docker, CHANGE_TIMEOUT_MS), o.authFor)),
  );
  return engine;
}

function engineOf(docker: Docker, authFor: RegistryAuthFor | undefined): Engine {
  const c = connection(docker, authFor);
  const engine: Engine = {
    containers: containerClient(c),
    images: imageClient(c),
    exec: execClient(c),
    events: eventClient(c),
    networks: networkClient(c),
    volumes: volumeClient(c),
    system: systemClient(c),
    host: hostClient(c),
  };
  forChangesOf.set(engine, () => engine);
  return engine;
}

/** Creating and starting containers: a loaded engine may take seconds, a minute is a dead one. */
export const CHANGE_TIMEOUT_MS = 60_000;

const forChangesOf = new WeakMap<Engine, () => Engine>();

/**
 * The same node's Engine whose ordinary calls wait CHANGE_TIMEOUT_MS instead of the short idle
 * limit: for creating and starting containers and reading back what was just made, which a busy
 * engine takes seconds to answer. An Engine this adapter did not make is returned as it is.
 */
export function forChanges(engine: Engine): Engine {
  return forChangesOf.get(engine)?.() ?? engine;
}

export function connectEngine(addr: EngineAddress, o: EngineOptions = {}): Engine {
  return dockerEngine(dockerClient(addr, o.timeoutMs), o);
}

/**
 * Parses a node address as users write it (`https://10.0.0.5:2376`, `tcp://host:2376`,
 * `10.0.0.5:2376`, `http://host:2375`). Plain http is only accepted with `insecure`.
 */
export function parseEngineUrl(
  url: string,
  opts: { tls?: TlsMaterial; insecure?: boolean },
): Extract<EngineAddress, { kind: "tcp" }> {
  const m = /^(?:(https?|tcp):\/\/)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(url.trim());
  if (!m) throw new Error(`"${url}" is not a Docker engine address; write it as https://HOST:PORT`);
  const scheme = m[1] ?? "tcp";
  const host = m[2]!.replace(/^\[|\]$/g, "");
  const port = m[3] ? Number(m[3]) : scheme === "http" ? 2375 : 2376;
  if (port < 1 || port > 65535) throw new Error(`port ${port} in "${url}" is out of range (1-65535)`);
  if (scheme === "http" || !opts.tls) {
    if (!opts.insecure) {
      throw new InsecureEngineError(
        `"${url}" would be reached without TLS; use https:// with Wharf's client certificate, or pass --insecure`,
      );
    }
    return { kind: "tcp", host, port, insecure: true };
  }
  return { kind: "tcp", host, port, tls: opts.tls };
}

/** What deploys, units, builds and services need: an Engine per registered node address. */
export interface NodeEngines {
  /** The engine of the node at this address (https://HOST:PORT), over Wharf's mutual TLS. */
  engineFor(address: string): Engine;
}
