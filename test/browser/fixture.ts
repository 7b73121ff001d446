// The one server, cluster, proxy and browser every browser test shares (they run in order
// in dashboard.test.ts): `wharf server` on the 3-node test cluster with the admin, pool
// `main`, the `node` platform, plan `small` and team `devs` (test/support/wharf-e2e.ts); the
// browser reaches the API through a proxy that can drop its connections.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { setupWharf, tarGz, type WharfE2E } from "../support/wharf-e2e.js";
import { startCutProxy, type CutProxy } from "../support/cut-proxy.js";
import { buildDashboard, finalScreenshot, launchChromium, logIn } from "../support/browser.js";

export const ADMIN = { email: "admin@example.com", password: "admin-pass-1" };
export const APP = "hello";

export interface Fixture {
  w: WharfE2E;
  proxy: CutProxy;
  browser: Browser;
  /** The dashboard's origin as the browser sees it (the proxy). */
  origin: string;
  /** The admin's logged-in page, shared by the tests that follow one another. */
  admin: Page;
  adminContext: BrowserContext;
}

const EXAMPLE = resolve(import.meta.dirname, "..", "..", "examples", "hello");

/** examples/hello packed as `wharf app deploy` packs a directory. */
function exampleArchive(): Promise<Buffer> {
  return tarGz(readdirSync(EXAMPLE).map((name) => ({ name, content: readFileSync(join(EXAMPLE, name)) })));
}

export async function openFixture(): Promise<Fixture> {
  buildDashboard();
  const w = await setupWharf({ prefix: "browser" });
  let proxy: CutProxy | undefined;
  let browser: Browser | undefined;
  try {
    proxy = await startCutProxy(w.apiUrl);
    browser = await launchChromium();
    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const admin = await adminContext.newPage();
    return { w, proxy, browser, origin: proxy.url, admin, adminContext };
  } catch (e) {
    await browser?.close();
    await proxy?.close();
    await w.close();
    throw e;
  }
}

export async function closeFixture(f: Fixture | undefined): Promise<void> {
  if (!f) return;
  await f.browser.close().catch(() => undefined);
  await f.proxy.close();
  await f.w.close();
}

/** A fresh browser (own storage) logged in through the form. */
export async function loggedInPage(
  f: Fixture,
  who: { email: string; password: string },
  viewport = { width: 1280, height: 900 },
): Promise<Page> {
  const ctx = await f.browser.newContext({ viewport });
  const page = await ctx.newPage();
  await logIn(page, f.origin, who.email, who.password);
  return page;
}

export { finalScreenshot };

/** The API's own answer to a request, for comparing with what the page shows. */
export async function apiSentence(
  f: Fixture,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  form?: Record<string, string>,
  token = f.w.token,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${f.w.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `bearer ${token}`,
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: res.status, body: (await res.text()).trim() };
}

/** Opens one of the app page's sections (its tab navigation, not other links of that name). */
export async function openTab(page: Page, name: string): Promise<void> {
  await page
    .getByRole("navigation", { name: `Sections of ${APP}` })
    .getByRole("link", { name })
    .click();
}

/** Starts a deploy of the example app from the Deploys section's form. */
export async function startExampleDeploy(page: Page, message = ""): Promise<void> {
  await openTab(page, "Deploys");
  await page.getByLabel("Code archive (.tar.gz)").setInputFiles({
    name: "hello.tar.gz",
    mimeType: "application/gzip",
    buffer: await exampleArchive(),
  });
  if (message) await page.getByLabel("Message").fill(message);
  await page.getByRole("button", { name: "Deploy", exact: true }).click();
}

/** Waits until the deploy history lists `version` (the page's answer from the API, no reload). */
export async function deployListed(page: Page, version: string): Promise<void> {
  await page
    .getByRole("table", { name: "Deploys, newest first" })
    .getByRole("rowheader", { name: version, exact: true })
    .waitFor();
}

/**
 * Waits for the deploy the page follows to end and asserts it ended OK. A failure or a
 * deploy still running at the timeout says what the page showed and what the API holds.
 */
export async function deployEndsOk(f: Fixture, page: Page, timeout = 600_000): Promise<void> {
  const status = page.locator("#deploy-status");
  let phase = "";
  try {
    await page
      .locator('#deploy-status[data-phase="ok"], #deploy-status[data-phase="failed"]')
      .waitFor({ timeout });
    phase = (await status.getAttribute("data-phase")) ?? "";
  } catch {
    phase = `still ${(await status.getAttribute("data-phase")) ?? "absent"} after ${timeout} ms`;
  }
  if (phase === "ok") return;
  const log = ((await page.locator("#deploy-log").textContent()) ?? "").split("\n").slice(-15).join("\n");
  const events = await f.w.api("GET", `/events?kindname=app.deploy&target.value=${APP}&limit=1`);
  assert.fail(
    `the deploy did not end OK (${phase}): ${(await status.textContent())?.trim()}\n` +
      `last lines shown:\n${log}\nthe API's last deploy event: ${events.body.slice(0, 1500)}`,
  );
}
