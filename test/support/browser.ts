// Debian's Chromium driven by playwright-core for the browser tests and bench/dashboard:
// the launch flags that work on a closed network, screenshots under the test output, the
// dashboard's login form, and axe-core run inside the page.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { isFresh } from "./fresh-build.js";

export const CHROMIUM = process.env.WHARF_CHROMIUM ?? "/usr/bin/chromium";

/** Without the background-networking flags Chromium dials Google's hosts, which this network refuses. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** test-output/browser (gitignored), or $WHARF_TEST_OUTPUT/browser. */
export function screenshotDir(): string {
  const dir = join(resolve(process.env.WHARF_TEST_OUTPUT ?? "test-output"), "browser");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Saves the page as it ends a test: test-output/browser/<name>.png. Returns the file. */
export async function finalScreenshot(page: Page, name: string): Promise<string> {
  const file = join(screenshotDir(), `${name.replace(/[^a-z0-9-]+/gi, "-").toLowerCase()}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Logs in through the dashboard's own form, as a user would. */
export async function logIn(page: Page, origin: string, email: string, password: string): Promise<void> {
  await page.goto(`${origin}/dashboard/`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Apps", level: 1 }).waitFor();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

const axeSource = (() => {
  let src = "";
  return () => (src ||= readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8"));
})();

/**
 * axe-core's WCAG 2.x A/AA rules on the page as it is. The script is evaluated through the
 * DevTools protocol, so the dashboard's CSP (script-src 'self') needs no exception for it.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource());
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const r = await axe.run({
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}

const ROOT = resolve(import.meta.dirname, "..", "..");
export const DASHBOARD_DIST = join(ROOT, "dist", "dashboard");

/** Builds the dashboard's assets (Vite) as `npm run build` does, so the server serves this code. */
export function buildDashboard(): void {
  if (process.env.WHARF_TEST_SKIP_BUILD) return;
  const dashboard = join(ROOT, "src", "dashboard");
  if (isFresh(join(ROOT, "dist", "dashboard", "index.html"), [dashboard])) return;
  const vite = join(ROOT, "node_modules", "vite", "bin", "vite.js");
  const r = spawnSync(
    process.execPath,
    [vite, "build", "--config", join(ROOT, "src", "dashboard", "vite.config.ts"), "--logLevel", "error"],
    { cwd: ROOT, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`the dashboard build failed:\n${r.stdout}\n${r.stderr}`);
}
