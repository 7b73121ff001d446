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
  /**
   * Idle limit of ordinary calls through a node's client (default 5 s: reads, and noticing a
   * dead node). Calls that legitimately take longer use copies with their own limit (longLived,
   * forChanges).
   */
  requestTimeoutMs?: number;
}

/** Only its presence matters: canonicalAddress asks "is there TLS?", never reads the bytes. */
const PLACEHOLDER_TLS: TlsMaterial = { ca: Buffer.alloc(0), cert: Buffer.alloc(0), key: Buffer.alloc(0) };

/** Errors that mean the node did not answer at all (HTTP error statuses are answers). */
const TRANSPORT_ERRORS =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|ESOCKETTIMEDOUT|EAI_AGAIN|ERR_TLS_|UNABLE_TO_|CERT_|DEPTH_ZERO|SELF_SIGNED)/;

export class DockerNodeConnector implements NodeConnector {
  private readonly monitor: NodeMonitor;
  private readonly engines = new Map<string, Docker>();
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
    // The next request builds a client with the new material; pings resolve it per call.
    this.engines.delete(address);
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
    const docker = connectEngine(a, timeoutMs ?? this.opts.requestTimeoutMs ?? 5000);
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
    type Dial = (this: unknown, o: unknown, cb: (err: unknown, data: unknown) => void) => void;
    const modem = docker.modem as unknown as { dial: Dial };
    const dial = modem.dial;
    // Not bound to this modem: copies of it with another idle timeout (longLived, forChanges in
    // provision/docker/streaming.ts) carry this wrapper, and each call must read its own copy's
    // timeout; bound, every copy would keep this client's short one.
    const monitor = this.monitor;
    modem.dial = function (this: unknown, o, cb) {
      dial.call(this, o, (err, data) => {
        const code = (err as { code?: string } | null)?.code;
        if (err && typeof code === "string" && TRANSPORT_ERRORS.test(code)) {
          monitor.reportFailure(address, `${code}: ${(err as Error).message}`);
        } else {
          monitor.reportSuccess(address);
        }
        cb(err, data);
      });
    };
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
    // Resolved per ping, so a node's own TLS material applies from the first ping after it is
    // known (useNodeTls; at start it is loaded once the API is ready, after the watch began).
    this.monitor.add(address, () => pingNode(this.engine(address), address));
  }

  unwatch(address: string): void {
    this.monitor.remove(address);
    this.engines.delete(address);
    this.nodeTls.delete(address);
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
