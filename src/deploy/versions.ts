// Versions after the build: tsuru's deploy list, rollback to an earlier image, and pruning
// of versions beyond the last K (their images are removed from the nodes).
import { BadRequestError, NotFoundError } from "../domain/errors.js";
import type { Principal } from "../domain/services/principal.js";
import { visibleApp } from "../domain/services/app-read.js";
import { withEvent } from "../domain/services/events.js";
import type { AppVersionRecord } from "../store/types.js";
import type { DeployCtx } from "./context.js";
import { provisionerOf } from "./unit-ops.js";
import { cleansImages } from "../provision/capabilities.js";

/** tsuru's deploy record (GET /deploys). */
export interface DeployView {
  ID: string;
  App: string;
  Timestamp: string;
  Duration: number;
  Commit: string;
  Error: string;
  Image: string;
  Log: string;
  User: string;
  Origin: string;
  CanRollback: boolean;
  RemoveDate: string;
  Diff: string;
  Message: string;
  Version: number;
}

const ZERO = "0001-01-01T00:00:00Z";

function view(v: AppVersionRecord): DeployView {
  return {
    ID: /^[0-9a-f]{24}$/.test(v.eventId) ? v.eventId : "",
    App: v.app,
    Timestamp: v.createdAt.toISOString(),
    Duration: Math.max(0, v.updatedAt.getTime() - v.createdAt.getTime()) * 1e6,
    Commit: "",
    Error: v.error,
    Image: v.image,
    Log: "",
    User: v.owner,
    Origin: v.origin,
    CanRollback: v.status === "ready",
    RemoveDate: ZERO,
    Diff: "",
    Message: v.message,
    Version: v.version,
  };
}

export async function listDeploys(
  dc: DeployCtx,
  p: Principal,
  app: string,
  opts: { limit: number; skip: number },
): Promise<DeployView[]> {
  await visibleApp(dc.ctx, p, app, "app.read.deploy");
  const all = await dc.ctx.store.listAppVersions(app);
  return all.slice(opts.skip, opts.skip + opts.limit).map(view);
}

/** Finds a version by "v3", "3" or its image reference. */
async function findVersion(dc: DeployCtx, app: string, ref: string): Promise<AppVersionRecord> {
  const m = /^v?(\d+)$/.exec(ref.trim());
  const versions = await dc.ctx.store.listAppVersions(app);
  const v = m
    ? versions.find((x) => x.version === Number(m[1]))
    : versions.find((x) => x.image === ref.trim());
  if (!v)
    throw new NotFoundError(
      `Version "${ref.slice(0, 100)}" of app "${app}" not found: see wharf app deploy list.`,
    );
  if (v.status !== "ready")
    throw new BadRequestError(
      `Version v${v.version} cannot be rolled back to: its build ${v.status === "failed" ? "failed" : "is not finished"}.`,
    );
  return v;
}

export async function rollbackApp(
  dc: DeployCtx,
  p: Principal,
  app: string,
  ref: string,
  out: (line: string) => void,
): Promise<void> {
  const a = await visibleApp(dc.ctx, p, app, "app.deploy.rollback");
  if (!ref.trim())
    throw new BadRequestError("You must provide the image or version to roll back to (e.g. v1).");
  const v = await findVersion(dc, app, ref);
  await withEvent(
    dc.ctx.store,
    p,
    {
      kind: "app.deploy",
      target: { type: "app", value: app },
      lock: true,
      data: { origin: "rollback", image: v.image, version: v.version },
    },
    { instanceId: dc.ctx.settings.instanceId },
    async (h) => {
      const say = (line: string) => {
        out(line);
        void h.log(line).catch(() => undefined);
      };
      say(`---- Rolling back ${app} to version v${v.version} (${v.image}) ----\n`);
      await (await provisionerOf(dc, a)).rollback(a, v, { out: say });
    },
  );
}

/** Keeps the last `keepVersions` versions (and always the routable one). */
export async function pruneVersions(dc: DeployCtx, app: string): Promise<void> {
  const store = dc.ctx.store;
  const rt = await store.getAppRuntime(app);
  const all = await store.listAppVersions(app);
  const doomed = all.slice(dc.settings.keepVersions).filter((v) => v.version !== rt.routableVersion);
  if (doomed.length === 0) return;
  const p = await provisionerOf(dc, await store.getApp(app));
  for (const v of doomed) {
    await store.deleteAppVersion(app, v.version);
    if (v.image && cleansImages(p)) await p.cleanImage(v.image);
  }
}
