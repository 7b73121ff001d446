// Wharf's node agent (tsuru's big-sibling): runs as a node container on every node of its
// pool, talks to its node's Docker engine through the mounted socket, and with its
// node-scoped token (1) reports the node's unit containers and checks every interval,
// (2) forwards the unit containers' output to the API's log ingestion and (3) samples the
// units' CPU, memory and network once per 10 s step (sampler.ts), sent with the reports.
import { networkInterfaces } from "node:os";
import { AgentApi, ApiRefusedError } from "./api.js";
import { CgroupReader } from "./cgroups.js";
import { LogCollector, type LogSource } from "./collector.js";
import { DockerSocket, type UnitContainer } from "./docker.js";
import {
  AGENT_ROUTES,
  type AgentCheck,
  type AgentLogAnswer,
  type AgentReport,
  type LogMarks,
} from "./protocol.js";
import { UnitSampler } from "./sampler.js";
import { LogShipper } from "./shipper.js";
import { readStartEvents } from "./start-events.js";

export interface AgentConfig {
  apiUrl: string;
  token: string;
  /** The node's address as Wharf knows it (for log lines only; the token says which node). */
  node: string;
  intervalMs: number;
  socketPath: string;
  /** This agent's node container name (to stop itself once its token is revoked). */
  containerName: string;
  /** Where the host's /proc and /sys/fs/cgroup are mounted ("/host"); "" = read the API's stats. */
  hostRoot?: string;
  log?: (msg: string) => void;
}

const STEP_MS = 10_000;

/** Refusals in a row (401/403) after which the agent stops its own container: its token is gone. */
const REVOKED_AFTER = 5;

export function socketSource(docker: DockerSocket): LogSource {
  return {
    listUnits: () => docker.listByLabel(["wharf.managed=true"]),
    async watchStarts(onStart, signal) {
      const res = await docker.events("wharf.managed=true", signal);
      await readStartEvents(res, onStart);
    },
    tty: (id) => docker.tty(id),
    follow: (id, since, signal) => docker.logs(id, since, signal),
  };
}

function addresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => a.family === "IPv4" && !a.internal)
    .map((a) => a.address);
}

export class Agent {
  private readonly docker: DockerSocket;
  private readonly api: AgentApi;
  private readonly shipper: LogShipper;
  private readonly collector: LogCollector;
  private readonly sampler: UnitSampler;
  private timer: NodeJS.Timeout | undefined;
  private stepTimer: NodeJS.Timeout | undefined;
  /** The unit containers of the last report (the sampler reads these). */
  private containers: UnitContainer[] = [];
  private refusals = 0;
  /** How the last logged pass read its units, to log only changes. */
  private sampledHow = "";
  private stopped = false;
  readonly log: (msg: string) => void;

  constructor(readonly c: AgentConfig) {
    this.log = c.log ?? ((m) => process.stdout.write(`${new Date().toISOString()} ${m}\n`));
    this.docker = new DockerSocket(c.socketPath);
    this.api = new AgentApi(c.apiUrl, c.token);
    this.shipper = new LogShipper({
      send: (lines) => this.call<AgentLogAnswer>("POST", AGENT_ROUTES.logs, { lines }),
      onError: (err) => this.log(`sending logs failed: ${(err as Error).message}`),
    });
    const reader = c.hostRoot !== "" ? new CgroupReader(c.hostRoot ?? "/host") : null;
    this.sampler = new UnitSampler(this.docker, reader?.available() ? reader : null);
    this.collector = new LogCollector(socketSource(this.docker), (lines) => this.shipper.push(lines), {
      marks: () => this.call<LogMarks>("GET", AGENT_ROUTES.marks),
      onError: (err, where) => this.log(`${where}: ${(err as Error).message}`),
    });
  }

  async start(): Promise<void> {
    this.log(`wharf-agent for ${this.c.node}: reporting to ${this.c.apiUrl} every ${this.c.intervalMs} ms`);
    await this.reportOnce().catch((err: unknown) => this.log(`report failed: ${(err as Error).message}`));
    await this.collector.start();
    const loop = () => {
      this.timer = setTimeout(() => {
        void this.reportOnce()
          .catch((err: unknown) => this.log(`report failed: ${(err as Error).message}`))
          .finally(() => !this.stopped && loop());
      }, this.c.intervalMs);
    };
    loop();
    this.sampleEveryStep();
  }

  /** One pass just after every 10 s boundary, so each step's figures cover that step. */
  private sampleEveryStep(): void {
    const next = () => {
      this.stepTimer = setTimeout(
        () => {
          void this.sampler
            .sample(this.containers)
            .then(() => {
              const { cgroup, api } = this.sampler.lastPass;
              const how = `${cgroup ? "cgroup" : ""}${api ? "api" : ""}`;
              if (how && how !== this.sampledHow)
                this.log(`sampling ${cgroup} units from cgroup files, ${api} through the Engine API's stats`);
              this.sampledHow = how;
            })
            .catch((err: unknown) => this.log(`sampling failed: ${(err as Error).message}`))
            .finally(() => !this.stopped && next());
        },
        STEP_MS - (Date.now() % STEP_MS) + 200,
      );
    };
    next();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.stepTimer);
    this.collector.stop();
    this.shipper.stop();
  }

  /** Builds and sends one status report. */
  async reportOnce(): Promise<void> {
    const checks: AgentCheck[] = [];
    let units: AgentReport["Units"] = [];
    try {
      await this.docker.ping();
      this.containers = await this.docker.listByLabel(["wharf.managed=true"]);
      units = this.containers.map((u) => ({
        ID: u.id,
        Name: u.name,
        Status: u.state,
        Unit: u.unit,
      }));
      checks.push({ Name: "docker", Err: "", Successful: true });
    } catch (err) {
      checks.push({ Name: "docker", Err: (err as Error).message.slice(0, 500), Successful: false });
    }
    const metrics = this.sampler.peek();
    const report: AgentReport = {
      Addrs: addresses(),
      Units: units,
      Checks: checks,
      DroppedLines: this.shipper.dropped,
      ...(metrics.length ? { Metrics: metrics } : {}),
    };
    await this.call("POST", AGENT_ROUTES.status, report);
    this.shipper.dropped = 0;
    this.sampler.sent(metrics.length);
  }

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    try {
      const out = await this.api.call<T>(method, path, body);
      this.refusals = 0;
      return out;
    } catch (err) {
      if (err instanceof ApiRefusedError && (err.status === 401 || err.status === 403)) {
        this.refusals++;
        if (this.refusals >= REVOKED_AFTER) await this.retire();
      }
      throw err;
    }
  }

  /** The token was revoked (node removed, agent replaced): stop this container for good. */
  private async retire(): Promise<void> {
    if (this.stopped) return;
    this.log("the API refuses this agent's token: stopping (the node was removed or the agent replaced)");
    this.stop();
    const mine = await this.docker
      .listByLabel([`wharf.nodecontainer=${this.c.containerName}`])
      .catch(() => []);
    // `docker stop` keeps a container with restart policy "always" stopped until it is started again.
    for (const c of mine) await this.docker.stop(c.id).catch(() => undefined);
    process.exit(0);
  }
}
