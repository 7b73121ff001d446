// What the endpoint knows of each node without asking it per request, as classic Swarm's
// engine cache: the summaries of the endpoint's containers (label wharf.docker.team) and
// the node's images, listed once and then kept current from one long-lived /events stream
// per node. Lifecycle calls through the endpoint refresh their container before answering,
// so `docker stop x; docker ps` never shows a stale state. A broken stream reconnects after
// min(failures + 1, 10) s and lists again.
import type { ClientRequest } from "node:http";
import type { ContainerSummary, ImageSummary as EngineImageSummary } from "../cluster/docker/types.js";
import type { Logger } from "pino";
import type { Engines } from "./engines.js";
import { SWARM_LABELS } from "./expressions.js";

export const TEAM_LABEL = "wharf.docker.team";

/** An engine's container summary, with when it was read (its Status ages from there). */
export type Summary = ContainerSummary & { readAt?: number };
export type ImageSummary = EngineImageSummary;

/** An engine event as dockerd sends it (only the fields the endpoint reads are typed). */
export interface EngineEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  from?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  [k: string]: unknown;
}

interface Watched {
  address: string;
  containers: Map<string, Summary>;
  images: ImageSummary[];
  loaded: boolean;
  /** Resolves at the first full listing (listed() resolves it). */
  firstListing: Promise<void>;
  listed: () => void;
  stopped: boolean;
  failures: number;
  req: ClientRequest | null;
  timer: NodeJS.Timeout | null;
  inflight: Map<string, Promise<void>>;
  /** The read to run after the inflight one, per container id. */
  queued: Map<string, Promise<void>>;
  imagesInflight: Promise<void> | null;
  imagesQueued: Promise<void> | null;
}

const IMAGE_ACTIONS = new Set(["pull", "tag", "untag", "delete", "import", "load", "push"]);

export class NodeStates {
  private readonly nodes = new Map<string, Watched>();
  private readonly listeners = new Set<(address: string, e: EngineEvent) => void>();

  constructor(
    private readonly engines: Engines,
    private readonly log: Logger,
    private readonly hooks: {
      /** Told after every full listing of a node (the sweep of orphans and duplicates hangs here). */
      listed?: (address: string, containers: readonly Summary[], startedAt: number) => void;
      /** Told when an endpoint container is destroyed on the node (`run --rm`, removed on the node). */
      destroyed?: (address: string, id: string, swarmId: string) => void;
    } = {},
  ) {}

  /** Watch exactly these nodes. */
  sync(addresses: readonly string[]): void {
    const want = new Set(addresses);
    for (const [a, w] of this.nodes)
      if (!want.has(a)) {
        this.stopOne(w);
        this.nodes.delete(a);
      }
    for (const a of want) this.watch(a);
  }

  /** Starts watching the node unless it is watched already. */
  watch(address: string): void {
    if (this.nodes.has(address)) return;
    let listed = () => {};
    const firstListing = new Promise<void>((r) => (listed = r));
    const w: Watched = {
      address,
      containers: new Map(),
      images: [],
      loaded: false,
      firstListing,
      listed,
      stopped: false,
      failures: 0,
      req: null,
      timer: null,
      inflight: new Map(),
      queued: new Map(),
      imagesInflight: null,
      imagesQueued: null,
    };
    this.nodes.set(address, w);
    this.follow(w);
  }

  /**
   * Resolves once each node is watched and listed, or after `ms` (a node that does not answer
   * is shown from its records, and one whose event stream failed already is not waited for). A node added since the last sync is watched from here on.
   */
  async ready(addresses: readonly string[], ms: number): Promise<void> {
    for (const a of addresses) this.watch(a);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => (timer = setTimeout(r, ms)));
    // A node whose stream already failed is not waited for: it may be dying.
    const waiting = addresses.map((a) => this.nodes.get(a)).filter((w) => w && !w.failures);
    await Promise.race([Promise.all(waiting.map((w) => w?.firstListing)), late]);
    clearTimeout(timer);
  }

  /** Summaries of the endpoint's containers on the node, by engine id (undefined before the first listing). */
  containers(address: string): ReadonlyMap<string, Summary> | undefined {
    const w = this.nodes.get(address);
    return w?.loaded ? w.containers : undefined;
  }

  images(address: string): readonly ImageSummary[] {
    return this.nodes.get(address)?.images ?? [];
  }

  subscribe(fn: (address: string, e: EngineEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Reads one container's summary again (after a lifecycle call). A read already running may
   * have been answered before the change the caller just made (a create event's read racing
   * the start that follows), so a call made meanwhile waits for one more read after it; calls
   * made while that one waits share it.
   */
  refreshContainer(address: string, id: string): Promise<void> {
    const w = this.nodes.get(address);
    if (!w) return Promise.resolve();
    const queued = w.queued.get(id);
    if (queued) return queued;
    const running = w.inflight.get(id);
    if (running) {
      const next = running.then(() => {
        w.queued.delete(id);
        return this.refreshContainer(address, id);
      });
      w.queued.set(id, next);
      return next;
    }
    const p = (async () => {
      try {
        const [s] = await this.engines.engine(address).engine.containers.list({ all: true, ids: [id] });
        if (s && s.Labels?.[TEAM_LABEL] !== undefined) w.containers.set(s.Id, { ...s, readAt: Date.now() });
        else w.containers.delete(id);
      } catch (e) {
        this.log.debug({ err: e, node: address }, "could not refresh a container");
      } finally {
        w.inflight.delete(id);
      }
    })();
    w.inflight.set(id, p);
    return p;
  }

  forget(address: string, id: string): void {
    this.nodes.get(address)?.containers.delete(id);
  }

  /** Lists the node's images again; like refreshContainer, a call during a listing gets one more. */
  refreshImages(address: string): Promise<void> {
    const w = this.nodes.get(address);
    if (!w) return Promise.resolve();
    if (w.imagesQueued) return w.imagesQueued;
    if (w.imagesInflight) {
      w.imagesQueued = w.imagesInflight.then(() => {
        w.imagesQueued = null;
        return this.refreshImages(address);
      });
      return w.imagesQueued;
    }
    w.imagesInflight = this.engines
      .engine(address)
      .engine.images.list()
      .then((imgs) => void (w.images = imgs))
      .catch((e: unknown) => this.log.debug({ err: e, node: address }, "could not list images"))
      .finally(() => (w.imagesInflight = null));
    return w.imagesInflight;
  }

  stop(): void {
    for (const w of this.nodes.values()) this.stopOne(w);
    this.nodes.clear();
  }

  private stopOne(w: Watched): void {
    w.stopped = true;
    if (w.timer) clearTimeout(w.timer);
    w.req?.destroy();
  }

  /** Lists the node again now (after a reschedule moved containers off it, to sweep duplicates). */
  async relist(address: string): Promise<void> {
    const w = this.nodes.get(address);
    if (w && !w.stopped) await this.list(w);
  }

  private async list(w: Watched): Promise<void> {
    const startedAt = Date.now();
    const engine = this.engines.engine(w.address).engine;
    const [cs, imgs] = await Promise.all([
      engine.containers.list({ all: true, labels: [TEAM_LABEL] }),
      engine.images.list(),
    ]);
    const now = Date.now();
    w.containers = new Map(cs.map((c) => [c.Id, { ...c, readAt: now }]));
    w.images = imgs;
    w.loaded = true;
    w.listed();
    this.hooks.listed?.(w.address, cs, startedAt);
  }

  private retry(w: Watched): void {
    if (w.stopped) return;
    w.req = null;
    w.failures++;
    const wait = Math.min(w.failures + 1, 10) * 1000;
    w.timer = setTimeout(() => this.follow(w), wait);
    w.timer.unref();
  }

  /** Opens the node's event stream, lists once it answers, then applies events as they come. */
  private follow(w: Watched): void {
    if (w.stopped) return;
    const engine = this.engines.engine(w.address);
    const filters = encodeURIComponent(JSON.stringify({ type: ["container", "image"] }));
    const req = engine.request({ method: "GET", path: `/events?filters=${filters}`, headers: {} });
    w.req = req;
    let settled = false;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      this.log.debug({ err: e, node: w.address }, "node event stream ended");
      this.retry(w);
    };
    req.on("error", fail);
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(new Error(`events answered ${res.statusCode}`));
      }
      this.list(w).then(
        () => (w.failures = 0),
        (e: unknown) => {
          req.destroy();
          fail(e);
        },
      );
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) this.apply(w, line);
        }
      });
      res.on("end", () => fail(new Error("event stream closed")));
      res.on("error", fail);
    });
    req.end();
  }

  private apply(w: Watched, line: string): void {
    let e: EngineEvent;
    try {
      e = JSON.parse(line) as EngineEvent;
    } catch {
      return;
    }
    const action = e.Action ?? e.status ?? "";
    if (e.Type === "image" || IMAGE_ACTIONS.has(action)) {
      if (e.Type !== "container") void this.refreshImages(w.address);
      if (e.Type === "image") return;
    }
    const attrs = e.Actor?.Attributes ?? {};
    if (attrs[TEAM_LABEL] === undefined) return;
    const id = e.Actor?.ID ?? e.id ?? "";
    if (action === "destroy") {
      w.containers.delete(id);
      this.hooks.destroyed?.(w.address, id, attrs[SWARM_LABELS.id] ?? "");
    }
    const done = action === "destroy" ? Promise.resolve() : this.refreshContainer(w.address, id);
    void done.then(() => {
      for (const fn of this.listeners) fn(w.address, e);
    });
  }
}
