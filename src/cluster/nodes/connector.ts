// The cluster side of node management: canonical engine addresses, probing engines over
// mutual TLS with Wharf's client certificate, and health monitoring of registered nodes.
import type Docker from "dockerode";
import type { NodeConnector, NodeTls, ProbedNode } from "../../domain/services/node-port.js";
import { BadRequestError } from "../../domain/errors.js";
import type { NodeHealthRecord } from "../../store/types.js";
import { InsecureEngineError, connectEngine, parseEngineUrl } from "../docker/engine.js";
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
}

/** Only its presence matters: canonicalAddress asks "is there TLS?", never reads the bytes. */
const PLACEHOLDER_TLS: TlsMaterial = { ca: Buffer.alloc(0), cert: Buffer.alloc(0), key: Buffer.alloc(0) };

/**
 * How long an ordinary engine call (create, start, inspect, remove) may go without an answer.
 * Docker answers those only once the work is done, and a container start on a busy node
 * (network setup, iptables) takes seconds; docker-modem's timeout destroys the request, which
 * surfaces as ECONNRESET "socket hang up", as if the node had dropped the connection.
 */
const ENGINE_TIMEOUT_MS = 30_000;
/** Health pings keep the short timeout they always had (the monitor bounds its wait anyway). */
const PING_TIMEOUT_MS = 5000;

/** Errors that mean the node did not answer at all (HTTP error statuses are answers). */
const TRANSPORT_ERRORS =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|ESOCKETTIMEDOUT|EAI_AGAIN|ERR_TLS_|UNABLE_TO_|CERT_|DEPTH_ZERO|SELF_SIGNED)/;

export class DockerNodeConnector implements NodeConnector {
  private readonly monitor: NodeMonitor;
  private readonly engines = new Map<string, Docker>();
  /** The health pings' clients: the same address and TLS, a shorter timeout. */
  private readonly pingers = new Map<string, Docker>();
  /** Nodes added with their own certificates (tsuru's node-add --cacert/--clientcert/--clientkey). */
  private readonly nodeTls = new Map<string, TlsMaterial>();

  constructor(private readonly opts: DockerNodeConnectorOptions) {
    this.monitor = new NodeMonitor({
      ...opts.monitor,
      onTransition: (t) => {
        const h = this.health(t.node);
        if (h) opts.onHealthChange?.(t.node, h, t);
      },
    });
  }

  canonicalAddress(raw: string, insecure: boolean, ownTls = false): string {
    try {
      // A node with certificates of its own is reached over TLS whatever the cluster has.
      const tls = this.opts.tls ?? (ownTls ? PLACEHOLDER_TLS : undefined);
      const a = parseEngineUrl(raw, { ...(tls ? { tls } : {}), insecure });
      const host = a.host.includes(":") ? `[${a.host}]` : a.host;
      return `${"tls" in a ? "https" : "http"}://${host}:${a.port}`;
    } catch (err) {
      if (err instanceof InsecureEngineError && !this.opts.tls && !insecure) {
        // Said in terms of what the stock tsuru client can send (it has no --insecure).
        throw new BadRequestError(
          `Node ${raw} is reached over TLS, and this server has no cluster client certificate (WHARF_NODE_TLS_DIR): ` +
            "give the node's certificates (tsuru node-add --cacert, --clientcert and --clientkey), or write a plain http:// engine address.",
        );
      }
      throw new BadRequestError(`${(err as Error).message}.`);
    }
  }

  /** The cluster's TLS material with the node's own pieces over it; null when a piece is missing. */
  private tlsFor(own: NodeTls): TlsMaterial | null {
    const base = this.opts.tls;
    const ca = own.ca ? Buffer.from(own.ca) : base?.ca;
    const cert = own.cert ? Buffer.from(own.cert) : base?.cert;
    const key = own.key ? Buffer.from(own.key) : base?.key;
    return ca && cert && key ? { ca, cert, key } : null;
  }

  /** Which TLS pieces a node still lacks when it brings `own` (none: the node can be reached). */
  missingTls(own: NodeTls): string[] {
    const base = this.opts.tls;
    const out: string[] = [];
    if (!own.ca && !base) out.push("CaCert (--cacert)");
    if (!own.cert && !base) out.push("ClientCert (--clientcert)");
    if (!own.key && !base) out.push("ClientKey (--clientkey)");
    return out;
  }

  useNodeTls(address: string, own: NodeTls | null): void {
    const tls = own ? this.tlsFor(own) : null;
    if (tls) this.nodeTls.set(address, tls);
    else this.nodeTls.delete(address);
    // The next request (and ping) builds a client with the new material.
    this.engines.delete(address);
    this.pingers.delete(address);
  }

  /** A client for a registered node, over Wharf's mutual TLS (cached per address). */
  engineFor(address: string): Docker {
    return this.engine(address);
  }

  private engine(address: string, timeoutMs?: number, own?: NodeTls): Docker {
    const cached = timeoutMs === undefined ? this.engines.get(address) : undefined;
    if (cached) return cached;
    const tls = (own ? this.tlsFor(own) : null) ?? this.nodeTls.get(address) ?? this.opts.tls ?? undefined;
    const a = parseEngineUrl(address, {
      ...(tls ? { tls } : {}),
      insecure: address.startsWith("http://"),
    });
    const docker = connectEngine(a, timeoutMs ?? ENGINE_TIMEOUT_MS);
    if (timeoutMs === undefined) {
      this.countRequestErrors(address, docker);
      this.engines.set(address, docker);
    }
    return docker;
  }

  /**
   * Every ordinary request through a node's client (units, builds, pulls) counts for its
   * health: a transport failure is a failure, any answer (even an HTTP error) a success.
   * A dead node is then noticed between polls too.
   */
  private countRequestErrors(address: string, docker: Docker): void {
    const modem = docker.modem as unknown as {
      dial: (o: unknown, cb: (err: unknown, data: unknown) => void) => void;
    };
    const dial = modem.dial.bind(modem);
    modem.dial = (o, cb) =>
      dial(o, (err, data) => {
        const code = (err as { code?: string } | null)?.code;
        if (err && typeof code === "string" && TRANSPORT_ERRORS.test(code)) {
          this.monitor.reportFailure(address, `${code}: ${(err as Error).message}`);
        } else {
          this.monitor.reportSuccess(address);
        }
        cb(err, data);
      });
  }

  async probe(address: string, own?: NodeTls): Promise<ProbedNode> {
    try {
      const s = await probeNode(this.engine(address, this.opts.probeTimeoutMs ?? 10_000, own), address);
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
    // Resolved per ping, and dropped when the node's TLS material changes (useNodeTls; at start
    // it is loaded once the API is ready, after the watch began), so it applies from the next ping.
    this.monitor.add(address, () => pingNode(this.pinger(address), address));
  }

  unwatch(address: string): void {
    this.monitor.remove(address);
    this.engines.delete(address);
    this.pingers.delete(address);
    this.nodeTls.delete(address);
  }

  /** As engineFor, with the pings' shorter timeout (their results count for health as before). */
  private pinger(address: string): Docker {
    let p = this.pingers.get(address);
    if (!p) {
      p = this.engine(address, PING_TIMEOUT_MS);
      this.countRequestErrors(address, p);
      this.pingers.set(address, p);
    }
    return p;
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
