// Wharf's pre-receive hook and the socket it talks to. git receive-pack runs the hook once the
// pushed objects are in (still quarantined) and relays the hook's output to the pusher as
// "remote:" lines through the sideband; its exit code accepts (0) or refuses the whole push, and
// a refused push leaves the repository as it was. The hook is a few lines of plain Node that hand
// the ref updates and the quarantine's location to this server over a Unix socket and copy the
// answer back; a per-push token (in the hook's environment only) says which push it belongs to.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

export interface HookCall {
  updates: RefUpdate[];
  /** The push's object environment (GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES, GIT_QUARANTINE_PATH). */
  objects: Record<string, string>;
}

/** Runs a push; writes what the pusher should read; resolves with the hook's exit code. */
export type PushHandler = (call: HookCall, out: (text: string) => void) => Promise<number>;

/** The hook program (CommonJS, so no package.json nearby can change how Node reads it). */
const HOOK_JS = String.raw`"use strict";
const net = require("node:net");
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const updates = input.split("\n").filter(Boolean).map((l) => {
    const [o, n, ref] = l.split(" ");
    return { old: o, new: n, ref };
  });
  const objects = {};
  for (const k of ["GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH"])
    if (process.env[k]) objects[k] = process.env[k];
  let code = null;
  let status = "";
  const sock = net.connect(process.env.WHARF_GIT_SOCKET || "");
  sock.setEncoding("utf8");
  sock.on("connect", () => sock.write(JSON.stringify({ push: process.env.WHARF_GIT_PUSH, updates, objects }) + "\n"));
  sock.on("data", (d) => {
    if (code !== null) return void (status += d);
    const i = d.indexOf("\u0000");
    if (i < 0) return void process.stdout.write(d);
    process.stdout.write(d.slice(0, i));
    code = "";
    status += d.slice(i + 1);
  });
  sock.on("error", () => {
    process.stdout.write("Wharf's server did not answer this push: nothing was changed, try again.\n");
    process.exit(1);
  });
  sock.on("close", () => process.exit(code === null ? 1 : Number(status) || 0));
});
`;

export class HookServer {
  private server: Server | null = null;
  private starting: Promise<string> | null = null;
  private socketPath = "";
  private readonly pushes = new Map<string, PushHandler>();

  constructor(private readonly hooksDir: string) {}

  /** Starts listening (once) and writes the hook; returns the socket path. */
  start(writeHook: (script: string) => Promise<void>): Promise<string> {
    this.starting ??= this.listen(writeHook).catch((e: unknown) => {
      this.starting = null;
      throw e;
    });
    return this.starting;
  }

  private async listen(writeHook: (script: string) => Promise<void>): Promise<string> {
    await mkdir(this.hooksDir, { recursive: true, mode: 0o700 });
    // Unix socket paths are short (108 bytes): fall back to the temp directory for deep data dirs.
    const name = `wharf-git-${process.pid}-${randomBytes(4).toString("hex")}.sock`;
    const inDir = join(this.hooksDir, name);
    this.socketPath = inDir.length < 100 ? inDir : join(tmpdir(), name);
    const server = createServer((s) => this.serve(s));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.socketPath, () => resolve());
    });
    await chmod(this.socketPath, 0o600);
    this.server = server;
    const js = join(this.hooksDir, "wharf-pre-receive.cjs");
    await writeFile(js, HOOK_JS, { mode: 0o600 });
    await writeHook(`#!/bin/sh\nexec "${process.execPath}" "${js}"\n`);
    return this.socketPath;
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    this.starting = null;
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    if (this.socketPath) await rm(this.socketPath, { force: true });
  }

  /** A push is starting: its hook will present the returned token. */
  register(handler: PushHandler): string {
    const token = randomBytes(24).toString("hex");
    this.pushes.set(token, handler);
    return token;
  }

  unregister(token: string): void {
    this.pushes.delete(token);
  }

  private serve(sock: Socket): void {
    let buf = "";
    let started = false;
    sock.setEncoding("utf8");
    sock.on("error", () => undefined);
    sock.on("data", (d: string) => {
      if (started) return;
      buf += d;
      if (buf.length > 1024 * 1024) return void sock.destroy();
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      started = true;
      void this.run(buf.slice(0, nl), sock);
    });
  }

  private async run(line: string, sock: Socket): Promise<void> {
    const write = (t: string) => {
      if (!sock.destroyed) sock.write(t);
    };
    let code = 1;
    try {
      const msg = JSON.parse(line) as { push?: unknown; updates?: unknown; objects?: unknown };
      const handler = typeof msg.push === "string" ? this.pushes.get(msg.push) : undefined;
      if (!handler || !Array.isArray(msg.updates)) {
        write("This push is not known to Wharf: push again.\n");
      } else {
        // Used once: a token can't run a second push.
        this.pushes.delete(msg.push as string);
        code = await handler(
          {
            updates: (msg.updates as RefUpdate[]).map((u) => ({
              old: String(u.old),
              new: String(u.new),
              ref: String(u.ref),
            })),
            objects: (msg.objects ?? {}) as Record<string, string>,
          },
          write,
        );
      }
    } catch {
      write("Wharf could not read this push: nothing was changed, try again.\n");
    }
    write(`\u0000${code}`);
    sock.end();
  }
}
