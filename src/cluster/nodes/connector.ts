// The cluster side of node management: canonical engine addresses, probing engines over
// mutual TLS with Wharf's client certificate, and health monitoring of registered nodes.
import type { NodeConnector, ProbedNode } from "../../domain/services/node-port.js";
import { BadRequestError } from "../../domain/errors.js";
import type { NodeHealthRecord } from "../../store/types.js";
import {
  connectEngine,
  parseEngineUrl,
  type Engine,
  type NodeEngines,
  type RegistryAuthFor,
} from "../docker/engine.js";
import type { TlsMaterial } from "../tls/pki.js";
import { NodeMonitor, type MonitorOptions } from "../health/monitor.js";
import type { HealthTransition } from "../health/tracker.js";
import { NodeUnreachableError, pingNode, probeNode } from "./probe.js";

export interface DockerNodeConnectorOptions {
  /** Wharf's cluster client certificate and the CA node certificates must chain to; null = none configured. */
  tls: TlsMaterial | null;
  monitor?: MonitorOptions;
  /** Called on every health state change, with the node's health after it. */
  onHealthChange?: (address: string, health: NodeHealthRecord, t: HealthTransition) => void;
  /** A probe at node add must answer within this. */
  probeTimeoutMs?: number;
  /** Registry auth for the nodes' pulls and pushes (src/registry). */
  authFor?: RegistryAuthFor;
}

/** Errors that mean the node did not answer at all (HTTP error statuses are answers). */
const TRANSPORT_ERRORS =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|ESOCKETTIMEDOUT|EAI_AGAIN|ERR_TLS_|UNABLE_TO_|CERT_|DEPTH_ZERO|SELF_SIGNED)/;

export class DockerNodeConnector implements NodeConnector, NodeEngines {
  private readonly monitor: NodeMonitor;
  private readonly engines = new Map<string, Engine>();

  constructor(private readonly opts: DockerNodeConnectorOptions) {
    this.monitor = new NodeMonitor({
      ...opts.monitor,
      onTransition: (t) => {
        const h = this.health(t.node);
        if (h) opts.onHealthChange?.(t.node, h, t);
      },
    });
  }

  canonicalAddress(raw: string, insecure: boolean): string {
    try {
      const a = parseEngineUrl(raw, { tls: this.opts.tls ?? undefined, insecure });
      const host = a.host.includes(":") ? `[${a.host}]` : a.host;
      return `${"tls" in a ? "https" : "http"}://${host}:${a.port}`;
    } catch (err) {
      const msg = (err as Error).message;
      if (!this.opts.tls && !insecure) {
        throw new BadRequestError(
          `${msg}. This server has no cluster client certificate configured (WHARF_NODE_TLS_DIR), so only --insecure nodes can be added.`,
        );
      }
      throw new BadRequestError(`${msg}.`);
    }
  }

  /** A client for a registered node, over Wharf's mutual TLS (cached per address). */
  engineFor(address: string): Engine {
    return this.engine(address);
  }

  private engine(address: string, timeoutMs?: number): Engine {
    const cached = timeoutMs === undefined ? this.engines.get(address) : undefined;
    if (cached) return cached;
    const a = parseEngineUrl(address, {
      tls: this.opts.tls ?? undefined,
      insecure: address.startsWith("http://"),
    });
    if (timeoutMs !== undefined) return connectEngine(a, { timeoutMs });
    const engine = connectEngine(a, {
      timeoutMs: 5000,
      ...(this.opts.authFor ? { authFor: this.opts.authFor } : {}),
      onTransport: (err) => this.countRequest(address, err),
    });
    this.engines.set(address, engine);
    return engine;
  }

  /**
   * Every ordinary request through a node's client (units, builds, pulls) counts for its
   * health: a transport failure is a failure, any answer (even an HTTP error) a success.
   * A dead node is then noticed between polls too.
   */
  private countRequest(address: string, err: unknown): void {
    const code = (err as { code?: string } | null)?.code;
    if (err && typeof code === "string" && TRANSPORT_ERRORS.test(code)) {
      this.monitor.reportFailure(address, `${code}: ${(err as Error).message}`);
    } else {
      this.monitor.reportSuccess(address);
    }
  }

  async probe(address: string): Promise<ProbedNode> {
    try {
      const s = await probeNode(this.engine(address, this.opts.probeTimeoutMs ?? 10_000), address);
      return {
        engineId: s.engineId,
        name: s.name,
        cpus: s.cpus,
        memory: s.memory,
        labels: s.labels,
        warnings: s.warnings,
      };
    } catch (err) {
      if (err instanceof NodeUnreachableError) throw new BadRequestError(`Cannot add node: ${err.message}.`);
      throw new BadRequestError(`Cannot add node ${address}: ${(err as Error).message}`);
    }
  }

  watch(address: string): void {
    const engine = this.engine(address);
    this.monitor.add(address, () => pingNode(engine, address));
  }

  unwatch(address: string): void {
    this.monitor.remove(address);
    this.engines.delete(address);
  }

  health(address: string): NodeHealthRecord | undefined {
    const h = this.monitor.tracker.get(address);
    if (!h) return undefined;
    return {
      state: h.state,
      failures: h.consecutiveFailures,
      lastSuccess: h.lastSuccess ?? null,
      lastError: h.lastError ?? "",
      lastErrorAt: h.lastErrorAt ?? null,
      since: h.since,
    };
  }

  /** A node agent saw a check fail on its node: it counts like a failed poll. */
  reportFailure(address: string, error: string): void {
    this.monitor.reportFailure(address, error);
  }

  /** Polls the node now, off schedule (its agent went silent). */
  checkNow(address: string): void {
    void this.monitor.pollOnce(address);
  }

  start(): void {
    this.monitor.start();
  }

  stop(): void {
    this.monitor.stop();
  }
}
