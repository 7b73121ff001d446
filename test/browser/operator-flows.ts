// Operators and everyone else: axe-core on the main pages, a phone's width driven by the
// keyboard, a member of another team who sees none of team devs' app, and an admin who
// disables a node and sees its state.
import assert from "node:assert/strict";
import { test } from "node:test";
import { axeViolations } from "../support/browser.js";
import { ADMIN, APP, apiSentence, finalScreenshot, loggedInPage, type Fixture } from "./fixture.js";

const OTHER = { email: "other@example.com", password: "other-pass-1" };

/** Waits until the page's main content is there (a heading, no "Loading …" left). */
async function settled(page: import("playwright-core").Page): Promise<void> {
  await page.locator("main h1").first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll(".loading").length === 0, undefined, {
    timeout: 30_000,
  });
}

export function operatorFlows(get: () => Fixture): void {
  test("axe-core reports no serious or critical violation on the main pages", async () => {
    const f = get();
    const page = f.admin;
    const node = (JSON.parse((await f.w.api("GET", "/node")).body) as { nodes: Array<{ Address: string }> })
      .nodes[0]!.Address;
    const pages = [
      "/apps",
      `/apps/${APP}`,
      `/apps/${APP}/deploys`,
      `/apps/${APP}/logs`,
      `/apps/${APP}/env`,
      `/apps/${APP}/domains`,
      `/apps/${APP}/services`,
      "/nodes",
      `/nodes/${encodeURIComponent(node)}`,
      "/pools",
      "/platforms",
      "/plans",
      "/teams",
      "/users",
      "/events",
      "/services",
    ];
    const found: string[] = [];
    for (const p of pages) {
      await page.goto(`${f.origin}/dashboard${p}`);
      await settled(page);
      for (const v of await axeViolations(page))
        if (v.impact === "serious" || v.impact === "critical")
          found.push(
            `${p}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
          );
    }
    // The login page, logged out in a context of its own.
    const ctx = await f.browser.newContext();
    const login = await ctx.newPage();
    await login.goto(`${f.origin}/dashboard/`);
    await login.getByRole("button", { name: "Log in" }).waitFor();
    for (const v of await axeViolations(login))
      if (v.impact === "serious" || v.impact === "critical") found.push(`login: ${v.id} ${v.help}`);
    await ctx.close();
    assert.deepEqual(found, []);
    await finalScreenshot(page, "axe-last-page");
  });

  test("at a phone's width the menu folds and the keyboard alone reaches the nodes page", async () => {
    const f = get();
    const page = await loggedInPage(f, ADMIN, { width: 390, height: 844 });
    await page.goto(`${f.origin}/dashboard/apps/${APP}`);
    await settled(page);
    const menu = page.getByRole("button", { name: "Menu" });
    assert.equal(await menu.getAttribute("aria-expanded"), "false");
    assert.equal(await page.getByRole("navigation", { name: "Main" }).isVisible(), false);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the page does not scroll sideways at 390 px (${overflow} px too wide)`);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), "Skip to content");
    let onMenu = false;
    for (let i = 0; i < 5 && !onMenu; i++) {
      await page.keyboard.press("Tab");
      onMenu = await page.evaluate(() => document.activeElement?.textContent?.trim() === "Menu");
    }
    assert.ok(onMenu, "Tab reaches the menu button");
    await page.keyboard.press("Enter");
    assert.equal(await menu.getAttribute("aria-expanded"), "true");
    let onNodes = false;
    for (let i = 0; i < 12 && !onNodes; i++) {
      await page.keyboard.press("Tab");
      onNodes = await page.evaluate(() => document.activeElement?.textContent?.trim() === "Nodes");
    }
    assert.ok(onNodes, "Tab reaches the Nodes link");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Nodes", level: 1 }).waitFor();
    await settled(page);
    await finalScreenshot(page, "phone-nodes");
    await page.goto(`${f.origin}/dashboard/apps/${APP}`);
    await settled(page);
    await finalScreenshot(page, "phone-app");
    await page.context().close();
  });

  test("a member of another team sees none of team devs' app, and logging out clears the token", async () => {
    const f = get();
    const created = await apiSentence(f, "POST", "/users", OTHER);
    assert.equal(created.status, 201, created.body);
    const page = await loggedInPage(f, OTHER);
    // Their own team, created from the Teams page.
    await page.getByRole("link", { name: "Teams" }).click();
    await page.locator("#team-form").getByLabel("Name").fill("others");
    await page.locator("#team-form").getByRole("button", { name: "Create team" }).click();
    await page.getByRole("table", { name: "Teams" }).getByText("others", { exact: true }).waitFor();
    assert.equal(
      await page.getByRole("table", { name: "Teams" }).getByText("devs", { exact: true }).count(),
      0,
    );

    await page.getByRole("link", { name: "Apps" }).click();
    await page.getByText("No apps yet.").waitFor();
    assert.equal(await page.getByRole("link", { name: APP, exact: true }).count(), 0);
    assert.equal(
      await page.getByRole("link", { name: "Nodes" }).count(),
      0,
      "no Nodes menu for a non-operator",
    );

    const token = (await page.evaluate(() => localStorage.getItem("wharf.token"))) ?? "";
    const refusal = await apiSentence(f, "GET", `/apps/${APP}`, undefined, token);
    assert.equal(refusal.status, 403);
    await page.goto(`${f.origin}/dashboard/apps/${APP}`);
    await page.getByRole("alert").filter({ hasText: refusal.body }).waitFor();

    await page.goto(`${f.origin}/dashboard/events`);
    await settled(page);
    assert.equal(await page.getByRole("table", { name: "Events, newest first" }).getByText(APP).count(), 0);

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Log in" }).waitFor();
    assert.equal(await page.evaluate(() => localStorage.getItem("wharf.token")), null);
    assert.equal(
      (await apiSentence(f, "GET", "/users/info", undefined, token)).status,
      401,
      "the token is revoked",
    );
    await finalScreenshot(page, "other-team-logged-out");
    await page.context().close();
  });

  test("as admin, disables a node from its page and sees its state, then enables it again", async () => {
    const f = get();
    const page = f.admin;
    await page.goto(`${f.origin}/dashboard/nodes`);
    const rows = page.getByRole("table", { name: "Nodes" }).locator("tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 3);
    await rows.first().getByRole("link").click();
    await settled(page);
    const state = page.locator("#node-state-text");
    assert.match((await state.textContent()) ?? "", /^Enabled/);
    await page.getByRole("button", { name: "Disable node" }).click();
    await state.filter({ hasText: /^Disabled: it takes no new units/ }).waitFor();
    await page.locator("h1").getByText("disabled").waitFor();
    const address = decodeURIComponent(page.url().split("/dashboard/nodes/")[1]!);
    const stored = JSON.parse((await f.w.api("GET", `/node/${encodeURIComponent(address)}`)).body) as {
      node: { Disabled: boolean };
    };
    assert.equal(stored.node.Disabled, true, "the page shows what the API holds");
    await finalScreenshot(page, "node-disabled");

    await page.getByRole("button", { name: "Enable node" }).click();
    await state.filter({ hasText: /^Enabled/ }).waitFor();
    await finalScreenshot(page, "node-enabled");
  });
}
