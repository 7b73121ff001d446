// The dashboard's initial load over loopback in Debian's Chromium, beside a reference: a
// plain static HTML page served by the same `wharf server`, the same code path, in the same
// run. Each load is a new browser context (empty cache, new connections), dashboard and
// reference alternating so the machine's noise falls on both. Prints medians, ratios and the
// verdict against issue 19's budget: assets ≤ 300 KB compressed, first render ≤ 1 s.
//
//   npm run build && node --import tsx bench/dashboard/run.ts     (BENCH_RUNS=15)
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser } from "playwright-core";
import { buildDashboard, DASHBOARD_DIST, launchChromium } from "../../test/support/browser.js";
import { REFERENCE_HTML, type Load, measureLoad, median } from "./measure.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const CLI = join(ROOT, "dist", "src", "cli", "main.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ADMIN = { email: "admin@example.com", password: "bench-admin-pw-1" };
const BUDGET = { assetsKB: 300, firstRenderMs: 1000 };

async function startServer(dataDir: string, bundle: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [CLI, "server", "--data-dir", dataDir, "--host", "127.0.0.1", "-p", "0"],
    {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dataDir,
        WHARF_LOG_LEVEL: "warn",
        WHARF_DASHBOARD_DIR: bundle,
        WHARF_ADMIN_EMAIL: ADMIN.email,
        WHARF_ADMIN_PASSWORD: ADMIN.password,
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  const url = await new Promise<string>((res, rej) => {
    let err = "";
    const timer = setTimeout(() => rej(new Error(`server did not start: ${err}`)), 60_000);
    child.stderr!.on("data", (d) => {
      err += d;
      const m = /server listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.once("exit", (code) => rej(new Error(`server exited ${code}: ${err}`)));
  });
  return { child, url };
}

async function api(url: string, token: string, method: string, path: string, form?: Record<string, string>) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `bearer ${token}` } : {}),
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  const body = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${body}`);
  return body;
}

/** A team with 20 apps, so the logged-in first render draws a real list. */
async function seed(url: string): Promise<string> {
  const login = JSON.parse(
    await api(url, "", "POST", `/users/${encodeURIComponent(ADMIN.email)}/tokens`, {
      password: ADMIN.password,
    }),
  ) as { token: string };
  const t = login.token;
  await api(url, t, "POST", "/pools", { name: "main", default: "true", public: "true" });
  await api(url, t, "POST", "/plans", { name: "small", memory: "256M", cpushare: "500", default: "true" });
  await api(url, t, "POST", "/platforms", { name: "node" });
  await api(url, t, "POST", "/teams", { name: "devs" });
  for (let i = 0; i < 20; i++)
    await api(url, t, "POST", "/apps", { name: `app-${i}`, platform: "node", teamOwner: "devs" });
  return t;
}

function row(cells: Array<string | number>, widths: number[]): string {
  return cells.map((c, i) => String(c).padEnd(widths[i]!)).join("  ");
}

async function main(): Promise<void> {
  if (!process.env.BENCH_SKIP_BUILD) {
    // The server is measured compiled, as production runs it, with this tree's bundle.
    spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", ROOT], {
      stdio: "ignore",
    });
    buildDashboard();
  }
  if (!existsSync(join(DASHBOARD_DIST, "index.html")))
    throw new Error("no dist/dashboard: run npm run build");
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-dashboard-"));
  const bundle = join(dir, "bundle");
  cpSync(DASHBOARD_DIST, bundle, { recursive: true });
  // The reference: one plain HTML page beside the bundle, served by the same route and code.
  writeFileSync(join(bundle, "reference.html"), REFERENCE_HTML);
  const server = await startServer(join(dir, "data"), bundle);
  let browser: Browser | undefined;
  try {
    const token = await seed(server.url);
    browser = await launchChromium();
    const kinds = {
      reference: { path: "/dashboard/reference.html", ready: "h1", token: "" },
      "login page": { path: "/dashboard/", ready: "#login button[type=submit]", token: "" },
      "apps page (logged in)": { path: "/dashboard/apps", ready: "table tbody tr", token },
    } as const;
    const results: Record<string, Load[]> = {};
    // One warm-up load of each (Chromium's own start-up), not counted.
    for (const [n, k] of Object.entries(kinds)) {
      console.error("warm", n);
      await measureLoad(browser, server.url, k);
    }
    for (let i = 0; i < RUNS; i++)
      for (const [name, k] of Object.entries(kinds))
        (results[name] ??= []).push(await measureLoad(browser, server.url, k));

    const ref = results.reference!;
    const refFcp = median(ref.map((l) => l.fcpMs));
    const refReady = median(ref.map((l) => l.readyMs));
    const W = [24, 14, 12, 12, 14, 12, 22, 16];
    console.log(
      `bench/dashboard: ${RUNS} cold loads each over loopback, Chromium ${browser.version()}, medians`,
    );
    console.log(
      row(
        [
          "page",
          "assets KB br",
          "requests",
          "FCP ms",
          "rendered ms",
          "load ms",
          "API calls (spread)",
          "vs reference",
        ],
        W,
      ),
    );
    for (const [name, loads] of Object.entries(results)) {
      const fcp = median(loads.map((l) => l.fcpMs));
      const ready = median(loads.map((l) => l.readyMs));
      console.log(
        row(
          [
            name,
            (median(loads.map((l) => l.assetBytes)) / 1024).toFixed(1),
            median(loads.map((l) => l.requests)),
            fcp.toFixed(0),
            ready.toFixed(0),
            median(loads.map((l) => l.loadMs)).toFixed(0),
            `${median(loads.map((l) => l.apiRequests))} (${median(loads.map((l) => l.apiSpreadMs)).toFixed(0)} ms)`,
            name === "reference"
              ? "1.00×"
              : `${(ready / refReady).toFixed(2)}× (FCP ${(fcp / refFcp).toFixed(2)}×)`,
          ],
          W,
        ),
      );
    }
    const worst = Object.entries(results).filter(([n]) => n !== "reference");
    const kb = Math.max(...worst.map(([, l]) => median(l.map((x) => x.assetBytes)) / 1024));
    const ms = Math.max(...worst.map(([, l]) => median(l.map((x) => x.readyMs))));
    console.log(
      `budget: assets ${kb.toFixed(1)} KB ≤ ${BUDGET.assetsKB} KB ${kb <= BUDGET.assetsKB ? "OK" : "OVER"}; ` +
        `first render ${ms.toFixed(0)} ms ≤ ${BUDGET.firstRenderMs} ms ${ms <= BUDGET.firstRenderMs ? "OK" : "OVER"}`,
    );
  } finally {
    await browser?.close();
    server.child.kill("SIGTERM");
    await new Promise((r) => server.child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
