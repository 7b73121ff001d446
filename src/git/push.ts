// What a git push to an app does, decided in its pre-receive hook: only a fast-forward of the
// app's branch is taken (main or master, like tsuru's hook took master: the first of the two
// pushed becomes the app's branch), the pushed tree is archived and deployed by the same deploy
// service an upload runs (origin "git", one app.deploy event), and the build and rollout stream
// back as "remote:" lines ending with the app's address or the error. A refusal or a failed
// deploy refuses the push, so the repository keeps the last code that deployed.
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import type { DeployCtx } from "../deploy/context.js";
import { deployApp } from "../deploy/deploy.js";
import { WharfError } from "../domain/errors.js";
import { fromStoreError } from "../domain/services/store-errors.js";
import { LockedError } from "../store/errors.js";
import type { Principal } from "../domain/services/principal.js";
import type { HookCall } from "./hook.js";
import { ZERO_SHA, type Repos } from "./repos.js";

export const BRANCHES = ["refs/heads/main", "refs/heads/master"];
const SHA = /^[0-9a-f]{40}$/;

/** The only push the app takes, or the sentence refusing it. */
export function checkUpdates(
  app: string,
  updates: HookCall["updates"],
  branches: Record<string, string>,
): { ok: { ref: string; old: string; new: string } } | { refused: string } {
  const current = BRANCHES.find((b) => branches[b]);
  const branch = current ? current.slice("refs/heads/".length) : "main";
  const how = `push it with: git push <remote> HEAD:${branch}`;
  if (updates.length !== 1 || !updates[0])
    return {
      refused: `Wharf takes one branch per push: push only ${branch}, the branch app ${app} deploys from (${how}).`,
    };
  const u = updates[0];
  if (!SHA.test(u.new) || !SHA.test(u.old))
    return { refused: "This push sent an update Wharf can't read: nothing was changed." };
  const allowed = current ? [current] : BRANCHES;
  if (!allowed.includes(u.ref))
    return {
      refused: current
        ? `App ${app} deploys from branch ${branch}; ${u.ref} is refused (${how}).`
        : `Wharf deploys the branch main or master; ${u.ref} is refused (${how}).`,
    };
  if (ZERO_SHA.test(u.new))
    return { refused: `The branch ${branch} of an app can't be deleted: remove the app instead.` };
  if ((branches[u.ref] ?? "0".repeat(40)) !== u.old)
    return { refused: `Branch ${branch} moved while you pushed: fetch, then push again.` };
  return { ok: u };
}

export interface PushDeps {
  dc: DeployCtx;
  repos: Repos;
  /** http://<app>.<domain>:<port>/ as users reach the app. */
  appUrl: (app: string) => string;
}

/** The objects the hook may point git at: inside the app's repository only. */
function objectEnv(repoDir: string, objects: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(objects)) {
    if (!["GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH"].includes(k))
      continue;
    const paths = v.split(":");
    if (paths.every((p) => p === repoDir || p.startsWith(`${repoDir}/`))) out[k] = v;
  }
  return out;
}

/** A push holding its app: who pushed and since when. */
export interface PushHolder {
  owner: string;
  since: Date;
}

/**
 * Pushes running on one server, by app. A push holds its app from its hook until git wrote the
 * ref: before its deploy takes the deploy lock (while the pushed tree is archived) and after it
 * released it (a second push then would deploy code the repository refuses).
 */
export class PushGuard {
  private readonly pushing = new Map<string, PushHolder>();

  /** The app for this push, or the push already holding it. */
  take(app: string, owner: string): PushHolder | null {
    const held = this.pushing.get(app);
    if (held) return held;
    this.pushing.set(app, { owner, since: new Date() });
    return null;
  }

  release(app: string): void {
    this.pushing.delete(app);
  }
}

/**
 * What a push that found its app held is told: the deploy lock's own sentence (the 409 an upload
 * gets) while the other push's deploy runs, and the same sentence naming the push around it.
 */
export async function busySentence(dc: DeployCtx, app: string, holder: PushHolder): Promise<string> {
  const running = await dc.ctx.store
    .listEvents({ running: true, targetType: "app", targetValue: app, kindNames: ["app.deploy"], limit: 1 })
    .catch(() => []);
  if (running[0]) return (fromStoreError(new LockedError(running[0])) as Error).message;
  return (
    `app "${app}" is locked by a running push (git push by ${holder.owner}, started ${holder.since.toISOString()}): ` +
    "wait for it to finish, then fetch and push again."
  );
}

export async function runPush(
  d: PushDeps,
  p: Principal,
  app: string,
  call: HookCall,
  out: (text: string) => void,
): Promise<number> {
  const repoDir = d.repos.path(app);
  const verdict = checkUpdates(app, call.updates, await d.repos.branches(app));
  if ("refused" in verdict) {
    out(`${verdict.refused}\n`);
    return 1;
  }
  const u = verdict.ok;
  const objects = objectEnv(repoDir, call.objects);
  if (!ZERO_SHA.test(u.old) && !(await d.repos.isAncestor(app, u.old, u.new, objects))) {
    out(
      `Non-fast-forward push refused: ${u.ref} of app ${app} only moves forward. Fetch, merge or rebase, then push again.\n`,
    );
    return 1;
  }
  const file = join(d.dc.settings.tmpDir, `git-push-${randomBytes(8).toString("hex")}.tar.gz`);
  try {
    await d.repos.archive(app, u.new, file, objects);
    const subject = await d.repos.subject(app, u.new, objects).catch(() => "");
    await deployApp(
      d.dc,
      p,
      {
        app,
        file: { open: () => createReadStream(file), dispose: () => rm(file, { force: true }) },
        origin: "git",
        message: `${u.new.slice(0, 7)} ${subject}`.trim(),
      },
      { out },
    );
    // The first push names the app's branch: clones check it out.
    if (ZERO_SHA.test(u.old)) await d.repos.setHead(app, u.ref);
    out(`\nOK: ${app} deployed from ${u.new.slice(0, 7)}, serving at ${d.appUrl(app)}\n`);
    return 0;
  } catch (e) {
    const msg = e instanceof WharfError ? e.message : "internal error: the failure was logged";
    if (!(e instanceof WharfError)) d.dc.log.error({ err: e, app }, "git push deploy failed");
    out(`\nError: ${msg}\nThe push was refused: the repository keeps the code that is deployed.\n`);
    return 1;
  } finally {
    await rm(file, { force: true });
  }
}
