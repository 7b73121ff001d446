// kill -9 during 100 concurrent mutations, then restart on the same data: the store
// opens, every acknowledged mutation is there, and no event is left running.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore } from "../../../src/store/open.js";

const here = dirname(fileURLToPath(import.meta.url));

function start(dataDir: string): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", join(here, "fixtures", "serve.ts")], {
    env: {
      ...process.env,
      WHARF_DATA_DIR: dataDir,
      WHARF_HOST: "127.0.0.1",
      WHARF_PORT: "0",
      WHARF_ADMIN_EMAIL: "admin@example.com",
      WHARF_ADMIN_PASSWORD: "admin-password",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /LISTENING (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]! });
      }
    });
    proc.once("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

async function req(url: string, method: string, path: string, token?: string, form?: Record<string, string>) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `bearer ${token}`;
  let body: string | undefined;
  if (form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(form).toString();
  }
  const r = await fetch(`${url}${path}`, { method, headers, ...(body ? { body } : {}) });
  return { status: r.status, text: await r.text() };
}

async function login(url: string): Promise<string> {
  const r = await req(url, "POST", "/1.0/users/admin@example.com/tokens", undefined, {
    password: "admin-password",
  });
  assert.equal(r.status, 200, r.text);
  return (JSON.parse(r.text) as { token: string }).token;
}

test(
  "kill -9 during 100 concurrent mutations loses no acknowledged write and leaves no running event",
  { timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-kill9-"));
    try {
      let { proc, url } = await start(dir);
      let token = await login(url);
      const setup: [string, string, Record<string, string>?][] = [
        ["POST", "/1.0/pools", { name: "default", default: "true" }],
        ["POST", "/1.0/plans", { name: "small", memory: "128M", cpushare: "100", default: "true" }],
        ["POST", "/1.0/platforms", { name: "python" }],
      ];
      for (const [m, p, f] of setup) assert.ok((await req(url, m, p, token, f)).status < 300);
      const team = await fetch(`${url}/1.0/teams`, {
        method: "POST",
        headers: { authorization: `bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "crash" }),
      });
      assert.equal(team.status, 201);
      // 100 concurrent mutations: app creations and env sets; kill once some are acknowledged.
      const acked: string[] = [];
      let killed = false;
      const ops = Array.from({ length: 100 }, async (_, i) => {
        try {
          const r = await req(url, "POST", "/1.0/apps", token, {
            name: `crash-${i}`,
            platform: "python",
            teamOwner: "crash",
          });
          if (r.status === 201) acked.push(`crash-${i}`);
          if (acked.length >= 20 && !killed) {
            killed = true;
            proc.kill("SIGKILL");
          }
        } catch {
          // connection reset by the kill: not acknowledged
        }
      });
      await Promise.all(ops);
      if (!killed) proc.kill("SIGKILL");
      await new Promise((r) =>
        proc.exitCode !== null || proc.signalCode !== null ? r(null) : proc.once("exit", r),
      );
      assert.ok(acked.length >= 20, `acknowledged ${acked.length}`);

      ({ proc, url } = await start(dir));
      token = await login(url);
      const list = await req(url, "GET", "/1.0/apps?", token);
      const names = new Set((JSON.parse(list.text) as { name: string }[]).map((a) => a.name));
      for (const a of acked) assert.ok(names.has(a), `acknowledged app ${a} survived the crash`);
      const running = await req(url, "GET", "/1.1/events?running=true", token);
      assert.ok(running.status === 204 || (JSON.parse(running.text) as unknown[]).length === 0, running.text);
      // Quotas stayed consistent with the rows that exist.
      const quota = JSON.parse((await req(url, "GET", "/1.0/users/admin@example.com/quota", token)).text) as {
        inuse: number;
      };
      assert.equal(quota.inuse, names.size);
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
      // Migrations are a no-op on reopen: the same versions, applied once.
      const store = await openStore({ kind: "sqlite", path: join(dir, "wharf.db") });
      const v = await store.migrationVersions();
      assert.equal(new Set(v).size, v.length);
      await store.close();
      console.log(`kill -9: ${acked.length} acknowledged, ${names.size} present after restart`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("wharf server init: initAdminFromConfig creates the first admin once and never changes its password", async () => {
  const { initAdminFromConfig } = await import("../../../src/server/index.js");
  const { loadConfig } = await import("../../../src/config/config.js");
  const dir = mkdtempSync(join(tmpdir(), "wharf-init-"));
  try {
    const config = loadConfig({}, { dataDir: dir });
    assert.deepEqual(await initAdminFromConfig(config, "root@example.com", "first-password"), {
      created: true,
    });
    assert.deepEqual(await initAdminFromConfig(config, "root@example.com", "other-password"), {
      created: false,
    });
    await assert.rejects(initAdminFromConfig(config, "x@example.com", "123"), /Password/);
    const { proc, url } = await start(dir);
    try {
      const r = await req(url, "POST", "/1.0/users/root@example.com/tokens", undefined, {
        password: "first-password",
      });
      assert.equal(r.status, 200);
      const token = (JSON.parse(r.text) as { token: string }).token;
      const info = JSON.parse((await req(url, "GET", "/1.0/users/info", token)).text) as {
        Roles: { Name: string }[];
      };
      assert.ok(info.Roles.some((x) => x.Name === "AllowAll"));
    } finally {
      proc.kill("SIGTERM");
      await new Promise((r) => proc.once("exit", r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
