// `app deploy`: check the upload, build `<registry>/<app>:vN` on a node of the app's pool
// (platform image + code, an existing image, or a Dockerfile), then roll it out. The whole
// operation is one cancelable, locking `app.deploy` event; a failure or cancel at any
// point leaves the previous version serving.
import { BadRequestError } from "../domain/errors.js";
import type { Principal } from "../domain/services/principal.js";
import { visibleApp } from "../domain/services/app-read.js";
import { withEvent } from "../domain/services/events.js";
import { unpackUpload, type CheckedArchive } from "../build/archive.js";
import type { App, AppVersionRecord } from "../store/types.js";
import type { DeployCtx } from "./context.js";
import { provisionerOf } from "./unit-ops.js";
import { buildVersion, type BuildSource, type BuiltVersion } from "./build-version.js";
import { pruneVersions } from "./versions.js";

/** tsuru's accepted origins (api/deploy.go). */
const ORIGINS = ["app-deploy", "git", "rollback", "drag-and-drop", "image", "rebuild", "dockerfile"];

/** An upload the API layer kept on disk (src/api/upload-spool.ts). */
export interface UploadedFile {
  open(): NodeJS.ReadableStream;
  dispose(): Promise<void>;
}

export interface DeployInput {
  app: string;
  /** The uploaded tar.gz (multipart `file`), in memory or on disk. */
  file?: Buffer | UploadedFile;
  image?: string;
  /** Dockerfile content (with `file` as its context, when given). */
  dockerfile?: string;
  origin: string;
  message: string;
}

export interface DeployStreams {
  out: (line: string) => void;
  /** Called with the event id before anything else is written (X-Tsuru-Eventid). */
  started?: (eventId: string) => void;
}

function checkInput(f: DeployInput): void {
  const sources = [f.file ? 1 : 0, f.image ? 1 : 0].reduce((a, b) => a + b, 0);
  if (sources !== 1 && !f.dockerfile)
    throw new BadRequestError("you must specify either the archive-url, a image url or upload a file.");
  if (f.file && f.image) throw new BadRequestError("Send either an image or a file, not both.");
  const origin = f.image ? "image" : f.origin || "app-deploy";
  if (!ORIGINS.includes(origin))
    throw new BadRequestError(`Invalid deployment origin "${origin}": use one of ${ORIGINS.join(", ")}.`);
  if (f.image && !/^[\w][\w.\-/:@]{0,254}$/.test(f.image))
    throw new BadRequestError(`Invalid image name "${f.image.slice(0, 80)}": use registry/name:tag.`);
}

/** Polls the event for a cancel request and aborts the deploy when one arrives. */
function watchCancel(dc: DeployCtx, eventId: string, ac: AbortController): () => void {
  const timer = setInterval(() => {
    dc.ctx.store
      .findEvent(eventId)
      .then(async (e) => {
        if (!e?.cancelInfo.asked || ac.signal.aborted) return;
        ac.abort(
          new BadRequestError(`The deploy was canceled: ${e.cancelInfo.reason || "no reason given"}.`),
        );
        await dc.ctx.store.updateEventCancel(eventId, { canceled: true, ackTime: new Date() });
      })
      .catch(() => undefined);
  }, 300);
  return () => clearInterval(timer);
}

async function run(
  dc: DeployCtx,
  app: App,
  v: AppVersionRecord,
  src: BuildSource,
  s: DeployStreams,
  signal: AbortSignal,
): Promise<void> {
  const store = dc.ctx.store;
  const failed = (err: unknown) =>
    store.updateAppVersion(app.name, v.version, { status: "failed", error: (err as Error).message });
  let built: BuiltVersion;
  try {
    built = await buildVersion(dc, app, v.version, src, s.out, signal);
    await store.updateAppVersion(app.name, v.version, {
      image: built.image,
      imageId: built.imageId,
      processes: built.processes,
      manifest: built.manifest,
    });
  } catch (err) {
    await failed(err);
    throw err;
  }
  // A rollback target ("ready") once the registry holds the image: any node can run it then.
  // Until then a crash leaves it "building", which a restart fails (and discards its units).
  const pushed = built.pushed.then(() => store.updateAppVersion(app.name, v.version, { status: "ready" }));
  pushed.catch(() => undefined);
  const candidate: AppVersionRecord = {
    ...v,
    image: built.image,
    imageId: built.imageId,
    processes: built.processes,
    manifest: built.manifest,
  };
  try {
    await (
      await provisionerOf(dc, app)
    ).deploy(app, candidate, {
      out: s.out,
      signal,
      pushing: { node: built.node, pushed },
      // Counted with the switch: a deploy that serves is counted even if the server dies next.
      onSwitch: async (t) => {
        const fresh = await t.getApp(app.name);
        await t.updateApp(app.name, { deploys: fresh.deploys + 1 });
      },
    });
  } catch (err) {
    // A version that never served (unhealthy, canceled) is no rollback target. The push's own
    // "ready" must land before this, not after it.
    await pushed.catch(() => undefined);
    await failed(err);
    throw err;
  }
  await pruneVersions(dc, app.name);
}

export async function deployApp(
  dc: DeployCtx,
  p: Principal,
  f: DeployInput,
  s: DeployStreams,
): Promise<void> {
  const app = await visibleApp(dc.ctx, p, f.app, f.image ? "app.deploy.image" : "app.deploy");
  checkInput(f);
  // The archive is checked before the event starts: a hostile upload is a plain 400.
  let archive: CheckedArchive | undefined;
  if (f.file) {
    const upload = f.file;
    try {
      archive = await unpackUpload(Buffer.isBuffer(upload) ? upload : upload.open(), {
        limits: { maxBytes: dc.settings.maxArchiveBytes, maxFiles: dc.settings.maxArchiveFiles },
        tmpDir: dc.settings.tmpDir,
      });
    } finally {
      // The checked copy is what the build reads: the raw upload can go at once.
      if (!Buffer.isBuffer(upload)) await upload.dispose();
    }
  }
  try {
    const src: BuildSource = f.image
      ? { kind: "image", image: f.image }
      : f.dockerfile
        ? { kind: "dockerfile", dockerfile: f.dockerfile, ...(archive ? { archive } : {}) }
        : { kind: "archive", archive: archive! };
    const origin = f.image ? "image" : f.origin || "app-deploy";
    await withEvent(
      dc.ctx.store,
      p,
      {
        kind: "app.deploy",
        target: { type: "app", value: app.name },
        lock: true,
        cancelable: true,
        data: { origin, message: f.message, image: f.image ?? "" },
      },
      { instanceId: dc.ctx.settings.instanceId },
      async (h) => {
        s.started?.(h.id);
        const out = (line: string) => {
          s.out(line);
          void h.log(line).catch(() => undefined);
        };
        const v = await dc.ctx.store.createAppVersion({
          app: app.name,
          origin,
          message: f.message,
          owner: p.email,
          eventId: h.id,
        });
        out(`---- Deploying version v${v.version} of ${app.name} ----\n`);
        const ac = new AbortController();
        const stop = watchCancel(dc, h.id, ac);
        try {
          await run(dc, app, v, src, { ...s, out }, ac.signal);
        } catch (err) {
          // Whatever step noticed the abort (build, push, unit start) fails with its own
          // error; the client is owed the cancel's sentence, not "internal error".
          if (ac.signal.aborted) throw ac.signal.reason;
          throw err;
        } finally {
          stop();
        }
      },
    );
  } finally {
    await archive?.dispose();
  }
}
