// The one adapter to Debian's git for app repositories: bare repositories under
// <dataDir>/git/<app>.git, made on first push and removed with the app, and small git commands
// (refs, ancestry, archives) run on them. Pushes are served by git's own http-backend and
// receive-pack (http-backend.ts); Wharf's pre-receive hook hands each push to the server.
import { execFile, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat, writeFile, chmod } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

export const ZERO_SHA = /^0{40}$/;

/** Environment for every git process: no system or user config, no prompts. */
export function gitEnv(root: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: root,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    LANG: "C",
    ...extra,
  };
}

export class Repos {
  constructor(readonly root: string) {}

  path(app: string): string {
    return join(this.root, `${app}.git`);
  }

  get hooksDir(): string {
    return join(this.root, ".hooks");
  }

  async exists(app: string): Promise<boolean> {
    return stat(join(this.path(app), "HEAD")).then(
      () => true,
      () => false,
    );
  }

  /** A bare repository for the app, made when missing, with settings no push can change. */
  async ensure(app: string): Promise<string> {
    const dir = this.path(app);
    if (await this.exists(app)) return dir;
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    await run("git", ["init", "--bare", "--quiet", dir], { env: gitEnv(this.root) });
    const set = (k: string, v: string) => run("git", ["config", k, v], { cwd: dir, env: gitEnv(this.root) });
    // Pushes may only add commits on the app's branch (the hook enforces it; these back it up).
    await set("receive.denyNonFastForwards", "true");
    await set("receive.denyDeletes", "true");
    await set("receive.fsckObjects", "true");
    await set("http.receivepack", "true");
    await set("http.uploadpack", "true");
    return dir;
  }

  async remove(app: string): Promise<void> {
    await rm(this.path(app), { recursive: true, force: true });
  }

  /** Writes the pre-receive hook every repository runs (core.hooksPath points here). */
  async installHook(script: string): Promise<void> {
    await mkdir(this.hooksDir, { recursive: true, mode: 0o700 });
    const file = join(this.hooksDir, "pre-receive");
    await writeFile(file, script, { mode: 0o700 });
    await chmod(file, 0o700);
  }

  /** Points HEAD at the app's branch, so clones check it out. */
  async setHead(app: string, ref: string): Promise<void> {
    await run("git", ["symbolic-ref", "HEAD", ref], { cwd: this.path(app), env: gitEnv(this.root) });
  }

  /** refs/heads/* of the repository, name → sha. */
  async branches(app: string): Promise<Record<string, string>> {
    if (!(await this.exists(app))) return {};
    const { stdout } = await run(
      "git",
      ["for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/"],
      {
        cwd: this.path(app),
        env: gitEnv(this.root),
      },
    );
    const out: Record<string, string> = {};
    for (const line of stdout.split("\n").filter(Boolean)) {
      const [ref, sha] = line.split(" ");
      out[ref!] = sha!;
    }
    return out;
  }

  /** Whether `older` is an ancestor of `newer`, reading the push's new objects too. */
  async isAncestor(
    app: string,
    older: string,
    newer: string,
    objects: Record<string, string>,
  ): Promise<boolean> {
    try {
      await run("git", ["merge-base", "--is-ancestor", older, newer], {
        cwd: this.path(app),
        env: gitEnv(this.root, objects),
      });
      return true;
    } catch {
      return false;
    }
  }

  /** The commit's subject line. */
  async subject(app: string, sha: string, objects: Record<string, string>): Promise<string> {
    const { stdout } = await run("git", ["log", "-1", "--format=%s", sha], {
      cwd: this.path(app),
      env: gitEnv(this.root, objects),
    });
    return stdout.trim().slice(0, 200);
  }

  /** Writes the commit's tree as a tar.gz to `file` (what an upload deploy receives). */
  async archive(app: string, sha: string, file: string, objects: Record<string, string>): Promise<void> {
    const child = spawn("git", ["archive", "--format=tar.gz", sha], {
      cwd: this.path(app),
      env: gitEnv(this.root, objects),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-500)));
    const exited = new Promise<number>((r) => child.on("close", (code) => r(code ?? 1)));
    await pipeline(child.stdout, createWriteStream(file, { mode: 0o600 }));
    const code = await exited;
    if (code !== 0) throw new Error(`git archive failed (${code}): ${err.trim()}`);
  }
}
