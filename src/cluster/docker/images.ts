// Images on one engine: pull and push (X-Registry-Auth from the registry adapter, added here
// and nowhere else), builds, inspect, tag, remove. Progress streams are followed to the end
// and fail with the engine's own error text.
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { abortable, throwIfAborted } from "../../util/abort.js";
import type { Connection } from "./connection.js";
import {
  isNotFound,
  type ImageBuildOptions,
  type ImageInspect,
  type ImageSummary,
  type ProgressEvent,
} from "./types.js";

export interface ProgressOptions {
  /** Each event as the engine sent it. */
  onEvent?: (e: ProgressEvent) => void;
  /** The text of each event (build output, pull/push status), trimmed, empty ones skipped. */
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  /**
   * This call's X-Registry-Auth, as dockerode's authconfig (src/registry/auth-header.ts
   * dockerodeAuth), instead of the connection's authFor; kept nowhere.
   */
  auth?: Record<string, unknown>;
}

export interface ImageClient {
  pull(ref: string, o?: ProgressOptions): Promise<void>;
  /** Pushes `ref`; resolves with the manifest digest the registry reported, when it did. */
  push(ref: string, o?: ProgressOptions): Promise<string | undefined>;
  /** Builds from a tar context; resolves with the image id the engine reported. */
  build(context: Readable, opts: ImageBuildOptions, o?: ProgressOptions): Promise<string | undefined>;
  inspect(ref: string): Promise<ImageInspect>;
  /** Every image of the engine, as `GET /images/json` lists them. */
  list(): Promise<ImageSummary[]>;
  exists(ref: string): Promise<boolean>;
  tag(ref: string, repo: string, tag: string): Promise<void>;
  remove(ref: string): Promise<void>;
}

/** Waits for a pull/push/build progress stream; rejects with the engine's own error text. */
export function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  o: ProgressOptions = {},
): Promise<ProgressEvent[]> {
  return new Promise<ProgressEvent[]>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: ProgressEvent[]) => {
        if (err) return reject(err);
        const failed = events.find((e) => e.error || e.errorDetail);
        if (failed)
          return reject(new Error(failed.errorDetail?.message ?? failed.error ?? "image operation failed"));
        resolve(events);
      },
      (e: ProgressEvent) => {
        o.onEvent?.(e);
        const line = (e.stream ?? e.status ?? "").trimEnd();
        if (line && o.onLine) o.onLine(line);
      },
    );
  });
}

/** Ends the stream when the signal aborts (the engine then stops the operation). */
function destroyOnAbort(stream: NodeJS.ReadableStream, signal?: AbortSignal): () => void {
  if (!signal) return () => undefined;
  const onAbort = () => (stream as unknown as { destroy?: () => void }).destroy?.();
  signal.addEventListener("abort", onAbort, { once: true });
  return () => signal.removeEventListener("abort", onAbort);
}

export function imageClient(c: Connection): ImageClient {
  return {
    async pull(ref, o = {}) {
      throwIfAborted(o.signal);
      const auth = o.auth ?? (await c.authFor(ref, "pull"));
      const stream = (await c.quiet.pull(ref, {
        ...(auth ? { authconfig: auth } : {}),
        ...(o.signal ? { abortSignal: o.signal } : {}),
      })) as NodeJS.ReadableStream;
      const release = destroyOnAbort(stream, o.signal);
      try {
        await abortable(followProgress(c.quiet, stream, o), o.signal);
      } finally {
        release();
      }
    },
    async push(ref, o = {}) {
      // The engine wants an auth header on every push, even to a registry without auth.
      const auth = o.auth ?? (await c.authFor(ref, "push")) ?? {};
      const stream = (await c.quiet.getImage(ref).push({
        authconfig: auth,
        ...(o.signal ? { abortSignal: o.signal } : {}),
      } as Docker.ImagePushOptions)) as NodeJS.ReadableStream;
      let digest: string | undefined;
      await followProgress(c.quiet, stream, {
        ...o,
        onEvent: (e) => {
          if (e.aux?.Digest) digest = e.aux.Digest;
          o.onEvent?.(e);
        },
      });
      return digest;
    },
    async build(context, opts, o = {}) {
      throwIfAborted(o.signal);
      // Build steps (npm ci, apt-get) can be silent for minutes: the long idle limit.
      const stream = (await c.quiet.buildImage(context, {
        ...opts,
        ...(o.signal ? { abortSignal: o.signal } : {}),
      } as Docker.ImageBuildOptions)) as NodeJS.ReadableStream;
      let id: string | undefined;
      await followProgress(c.quiet, stream, {
        ...o,
        onEvent: (e) => {
          if (e.aux?.ID) id = e.aux.ID;
          o.onEvent?.(e);
        },
      });
      return id;
    },
    inspect: (ref) => c.docker.getImage(ref).inspect(),
    list: () => c.docker.listImages(),
    async exists(ref) {
      try {
        await c.docker.getImage(ref).inspect();
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
    async tag(ref, repo, tag) {
      await c.docker.getImage(ref).tag({ repo, tag });
    },
    async remove(ref) {
      await c.docker.getImage(ref).remove();
    },
  };
}
