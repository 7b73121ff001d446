// Containers on one engine. Engine errors are passed on with their statusCode (404 no such
// container or image, 409 name taken or removal in progress, 304 already started/stopped),
// which the callers' idempotent steps decide on.
import type Docker from "dockerode";
import type { Connection } from "./connection.js";
import {
  isNotFound,
  type ContainerCreateOptions,
  type ContainerInspect,
  type ContainerSummary,
} from "./types.js";

export interface ContainerListOptions {
  /** Stopped ones too. */
  all?: boolean;
  /** Label filters, `key` or `key=value`; a container must carry every one. */
  labels?: string[];
  /** Only these container ids. */
  ids?: string[];
}

export interface ContainerClient {
  /** Resolves with the new container's id. */
  create(opts: ContainerCreateOptions): Promise<string>;
  start(id: string): Promise<void>;
  /** SIGTERM (the image's stop signal), SIGKILL after `graceSeconds`; waits for the grace period. */
  stop(id: string, graceSeconds: number): Promise<void>;
  remove(id: string, opts?: { force?: boolean; volumes?: boolean }): Promise<void>;
  /**
   * Force-removes it and waits until it is gone: AutoRemove, or an abort handler, may already
   * be removing it, and then the engine answers at once while the container lingers.
   */
  removeAndWait(id: string): Promise<void>;
  inspect(id: string): Promise<ContainerInspect>;
  list(opts?: ContainerListOptions): Promise<ContainerSummary[]>;
  /** The output so far (the last `tail` lines), framed unless the container has a TTY. */
  logs(id: string, o: { tail: number }): Promise<Buffer>;
  /** Follows the output (with timestamps, from `since` when given) until the stream is destroyed. */
  followLogs(id: string, o: { since?: string }): Promise<NodeJS.ReadableStream>;
  /** stdout/stderr of a container not yet started (nothing is missed), with the long idle limit. */
  attach(id: string): Promise<NodeJS.ReadableStream>;
  /** Resolves with the exit code of the container's next exit (with the long idle limit). */
  wait(id: string): Promise<number>;
  update(id: string, o: { memory: number }): Promise<void>;
  /** Commits the container as `repo:tag` with `config` overriding its own; resolves with the image id. */
  commit(id: string, o: { repo: string; tag: string; config?: Record<string, unknown> }): Promise<string>;
  /** A tar stream of `path` in the container's filesystem (404: no such path). */
  archive(id: string, path: string): Promise<NodeJS.ReadableStream>;
  /** One stats reading (Engine API 1.41 one-shot: no second sample to wait for), as the engine sent it. */
  statsOnce(id: string): Promise<Record<string, unknown>>;
}

export function containerClient(c: Connection): ContainerClient {
  const one = (id: string): Docker.Container => c.docker.getContainer(id);
  const quiet = (id: string): Docker.Container => c.quiet.getContainer(id);
  return {
    async create(opts) {
      return (await c.docker.createContainer(opts)).id;
    },
    async start(id) {
      await one(id).start();
    },
    async stop(id, graceSeconds) {
      const t = Math.max(0, Math.floor(graceSeconds));
      // The engine answers after the grace period at the latest; half a minute more is a dead node.
      await c
        .idle((t + 30) * 1000)
        .getContainer(id)
        .stop({ t });
    },
    async remove(id, opts = {}) {
      await one(id).remove({ force: opts.force ?? false, v: opts.volumes ?? false });
    },
    async removeAndWait(id) {
      await one(id)
        .remove({ force: true })
        .catch(() => {});
      for (let i = 0; i < 100; i++) {
        try {
          await one(id).inspect();
        } catch (err) {
          if (isNotFound(err)) return;
          throw err;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    inspect: (id) => one(id).inspect(),
    list(opts = {}) {
      const filters = {
        ...(opts.labels?.length ? { label: opts.labels } : {}),
        ...(opts.ids ? { id: opts.ids } : {}),
      };
      return c.docker.listContainers({
        all: opts.all ?? false,
        ...(Object.keys(filters).length ? { filters: JSON.stringify(filters) } : {}),
      });
    },
    async logs(id, o) {
      return (await one(id).logs({
        stdout: true,
        stderr: true,
        follow: false,
        tail: o.tail,
      })) as unknown as Buffer;
    },
    async followLogs(id, o) {
      return (await quiet(id).logs({
        follow: true,
        stdout: true,
        stderr: true,
        timestamps: true,
        // The Engine API takes a timestamp string here; dockerode types it as a number.
        ...(o.since ? { since: o.since as unknown as number } : {}),
      })) as unknown as NodeJS.ReadableStream;
    },
    async attach(id) {
      return (await quiet(id).attach({ stream: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    },
    async wait(id) {
      return ((await quiet(id).wait({ condition: "next-exit" })) as { StatusCode: number }).StatusCode;
    },
    async update(id, o) {
      await one(id).update({ Memory: o.memory, MemorySwap: o.memory });
    },
    async commit(id, o) {
      const r = (await one(id).commit({
        _query: { container: id, repo: o.repo, tag: o.tag },
        ...(o.config ? { _body: o.config } : {}),
      })) as { Id: string };
      return r.Id;
    },
    archive: (id, path) => one(id).getArchive({ path }),
    statsOnce: async (id) =>
      (await one(id).stats({ stream: false, "one-shot": true } as { stream: false })) as unknown as Record<
        string,
        unknown
      >,
  };
}
