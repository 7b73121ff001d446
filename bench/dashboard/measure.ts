// One cold load of a page in a new Chromium context: bytes of its assets as they crossed the
// wire (compressed bodies), its requests, first contentful paint, when the page's content is
// on screen (the first frame after `ready` matches), the load event, all from the page's own
// navigation start, and how far apart its API requests started (0: all sent together).
import type { Browser } from "playwright-core";

/** The reference page: plain static HTML with a heading and a paragraph, nothing to run. */
export const REFERENCE_HTML =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reference</title></head>' +
  "<body><h1>Reference</h1><p>A plain static page served by the same server and route.</p></body></html>";

export interface Load {
  assetBytes: number;
  requests: number;
  fcpMs: number;
  readyMs: number;
  loadMs: number;
  /** The page's API requests (fetch) and the time from the first one's start to the last one's. */
  apiRequests: number;
  apiSpreadMs: number;
  encodings: string[];
}

export interface Target {
  path: string;
  /** A selector that is there once the page shows its content. */
  ready: string;
  /** A session token put in localStorage before the page runs ("" = logged out). */
  token: string;
}

/**
 * Sets window.__readyAt to the first animation frame after `selector` matches. Parser-inserted
 * nodes may be in before this runs, so it looks at once, on each change and at DOMContentLoaded.
 */
function readyProbe(selector: string): string {
  return `(() => {
    const sel = ${JSON.stringify(selector)};
    const check = () => {
      if (window.__readyAt === undefined && !window.__readyAsked && document.querySelector(sel)) {
        window.__readyAsked = true;
        requestAnimationFrame(() => { window.__readyAt = performance.now(); });
      }
    };
    check();
    new MutationObserver(check).observe(document, { subtree: true, childList: true });
    document.addEventListener("DOMContentLoaded", check);
  })();`;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function measureLoad(browser: Browser, origin: string, t: Target): Promise<Load> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    if (t.token)
      await ctx.addInitScript((token: string) => localStorage.setItem("wharf.token", token), t.token);
    // A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.
    await ctx.addInitScript({ content: readyProbe(t.ready) });
    const page = await ctx.newPage();
    const encodings = new Set<string>();
    page.on("response", (r) => {
      const e = r.headers()["content-encoding"];
      if (e && r.request().resourceType() !== "fetch") encodings.add(e);
    });
    await page.goto(`${origin}${t.path}`, { waitUntil: "load" });
    await page.waitForFunction(
      () => (window as unknown as { __readyAt?: number }).__readyAt !== undefined,
      undefined,
      {
        timeout: 30_000,
      },
    );
    const m = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const res = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const assets = res.filter((r) => r.initiatorType !== "fetch" && r.initiatorType !== "xmlhttprequest");
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      const calls = res.filter((r) => r.initiatorType === "fetch").map((r) => r.startTime);
      return {
        assetBytes: nav.encodedBodySize + assets.reduce((n, r) => n + r.encodedBodySize, 0),
        requests: 1 + res.length,
        fcpMs: fcp ? fcp.startTime : Number.NaN,
        readyMs: (window as unknown as { __readyAt: number }).__readyAt,
        loadMs: nav.loadEventEnd,
        apiRequests: calls.length,
        apiSpreadMs: calls.length ? Math.max(...calls) - Math.min(...calls) : 0,
      };
    });
    return { ...m, encodings: [...encodings] };
  } finally {
    await ctx.close();
  }
}
