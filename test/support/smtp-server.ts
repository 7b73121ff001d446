// A real SMTP server on loopback for tests: Debian's aiosmtpd (python3-aiosmtpd, installed by
// scripts/host-setup.sh), run unprivileged with its Mailbox handler, which writes every message
// it accepts into a Maildir.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SmtpServer {
  url: string;
  /** The messages received so far (headers, and the body decoded from quoted-printable), oldest first. */
  messages(): string[];
  /** Waits until at least `n` messages arrived. */
  waitFor(n: number): Promise<string[]>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const c = connect(port, "127.0.0.1");
    c.once("connect", () => {
      c.destroy();
      resolve(true);
    });
    c.once("error", () => resolve(false));
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A message as a reader sees it: a quoted-printable body decoded (RFC 2045 §6.7). */
function decoded(raw: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  if (split < 0 || !/^Content-Transfer-Encoding:\s*quoted-printable\s*$/im.test(raw.slice(0, split)))
    return raw;
  const body = raw
    .slice(split)
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return raw.slice(0, split) + Buffer.from(body, "latin1").toString("utf8");
}

export async function startSmtpServer(): Promise<SmtpServer> {
  const dir = mkdtempSync(join(tmpdir(), "wharf-smtp-"));
  const maildir = join(dir, "Maildir");
  const port = await freePort();
  // Debian's python, not one a version manager put first on PATH: aiosmtpd is installed there.
  const child: ChildProcess = spawn(
    "/usr/bin/python3",
    ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  for (let i = 0; !(await accepts(port)); i++) {
    if (child.exitCode !== null || i > 200) {
      child.kill("SIGKILL");
      throw new Error(`aiosmtpd did not start (install python3-aiosmtpd: scripts/host-setup.sh): ${stderr}`);
    }
    await sleep(50);
  }
  const messages = () => {
    let names: string[] = [];
    try {
      names = readdirSync(join(maildir, "new"));
    } catch {
      return [];
    }
    // Maildir names start with the delivery time in seconds, then a per-process counter.
    return names
      .map((n) => ({ n, body: decoded(readFileSync(join(maildir, "new", n), "utf8")) }))
      .sort((a, b) => a.n.localeCompare(b.n, "en", { numeric: true }))
      .map((m) => m.body);
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async waitFor(n) {
      for (;;) {
        const m = messages();
        if (m.length >= n) return m;
        if (child.exitCode !== null) throw new Error(`aiosmtpd exited: ${stderr}`);
        await sleep(50);
      }
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
