// A team's first steps in the dashboard: log in (and a wrong password), create an app (and a
// bad name), deploy the example app with its build output streaming to OK, see its unit and
// open it through the router, scale it to three units, set a private variable.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ADMIN,
  APP,
  apiSentence,
  deployEndsOk,
  deployListed,
  finalScreenshot,
  openTab,
  startExampleDeploy,
  type Fixture,
} from "./fixture.js";

export function appFlows(get: () => Fixture): void {
  test("logs in with the CLI's token flow: a wrong password gets the API's sentence, a reload stays logged in, the token never appears in a URL", async () => {
    const f = get();
    const page = f.admin;
    const urls: string[] = [];
    page.on("request", (r) => urls.push(r.url()));
    await page.goto(`${f.origin}/`);
    assert.match(
      page.url(),
      /\/dashboard\/$/,
      "a browser opening the server's address lands on the dashboard",
    );
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Log in" }).click();
    const refusal = await apiSentence(
      f,
      "POST",
      `/users/${encodeURIComponent(ADMIN.email)}/tokens`,
      { password: "not-the-password" },
      "",
    );
    assert.equal(refusal.status, 401);
    await page.locator("#login-error").waitFor();
    assert.equal((await page.locator("#login-error").textContent())?.trim(), refusal.body);
    assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");

    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Apps", level: 1 }).waitFor();
    const token = await page.evaluate(() => localStorage.getItem("wharf.token"));
    assert.ok(token && token.length > 20, "the session token is kept in localStorage");
    await page.reload();
    await page.getByRole("heading", { name: "Apps", level: 1 }).waitFor();
    await page.getByText(ADMIN.email).waitFor();
    assert.ok(!urls.some((u) => u.includes(token)), "no request URL carries the token");
    await finalScreenshot(page, "login");
  });

  test("creates an app from the form; a bad name gets the API's sentence next to the name field", async () => {
    const f = get();
    const page = f.admin;
    await page.getByRole("button", { name: "New app" }).click();
    const form = page.locator("#create-app");
    await form.getByLabel("Name", { exact: true }).waitFor();
    await form.getByLabel("Name", { exact: true }).fill("Bad_Name!");
    await form.getByRole("button", { name: "Create app" }).click();
    const refusal = await apiSentence(f, "POST", "/apps", {
      name: "Bad_Name!",
      platform: "node",
      teamOwner: "devs",
      pool: "",
      plan: "",
      description: "",
    });
    assert.equal(refusal.status, 400);
    const error = form.locator("#create-app-error");
    await error.waitFor();
    assert.equal((await error.textContent())?.trim(), refusal.body);
    assert.equal(await form.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
    assert.equal(
      await form.getByLabel("Name", { exact: true }).getAttribute("aria-describedby"),
      "create-app-name-hint create-app-error",
    );

    await form.getByLabel("Name", { exact: true }).fill(APP);
    await form.getByRole("button", { name: "Create app" }).click();
    await page.getByRole("heading", { name: new RegExp(`^${APP}`), level: 1 }).waitFor();
    assert.match(page.url(), new RegExp(`/dashboard/apps/${APP}$`));
    await page.getByText("No units yet.").waitFor();
    await finalScreenshot(page, "create-app");
  });

  test("deploys the example app from the browser and watches the build output stream to OK", async () => {
    const f = get();
    const page = f.admin;
    await startExampleDeploy(page);
    // Output shows while the deploy still runs: it streams, it does not arrive at the end.
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLElement>("#deploy-status")?.dataset.phase === "running" &&
        (document.querySelector("#deploy-log")?.textContent ?? "").trim().length > 0,
      undefined,
      { timeout: 300_000, polling: 100 },
    );
    await deployEndsOk(f, page);
    const log = (await page.locator("#deploy-log").textContent()) ?? "";
    assert.match(log, /\nOK\n?$/, "the streamed output ends with tsuru's OK");
    assert.equal(await page.getByRole("button", { name: "Cancel deploy" }).count(), 0);
    // The history shows the deploy as the API recorded it, without a reload.
    await deployListed(page, "v1");
    await finalScreenshot(page, "deploy");
  });

  test("shows the unit with its node and status, and opens the app's URL through the router", async () => {
    const f = get();
    const page = f.admin;
    await openTab(page, "Units & metrics");
    const rows = page.getByRole("table", { name: "Units of web" }).locator("tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    await rows.first().getByText("started").waitFor({ timeout: 60_000 });
    assert.match((await rows.first().locator("td").nth(1).textContent()) ?? "", /wtc\d?-n\d|10\.213\./);
    const open = page.getByRole("link", { name: new RegExp(`^Open ${APP}\\.`) });
    const [popup] = await Promise.all([page.waitForEvent("popup"), open.click()]);
    await popup.waitForLoadState();
    const body = (await popup.locator("body").textContent()) ?? "";
    assert.match(body, /Hello from Wharf!/);
    assert.match(body, new RegExp(`app: ${APP}`));
    assert.match(popup.url(), new RegExp(`^http://${APP}\\.wharf\\.localhost:\\d+/$`));
    await finalScreenshot(popup, "app-through-router");
    await popup.close();
    await finalScreenshot(page, "unit");
  });

  test("scales web to 3 and shows three started units", async () => {
    const f = get();
    const page = f.admin;
    await page.getByLabel("Number of web units").fill("3");
    await page.getByRole("button", { name: "Scale", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Adding 2 web unit(s)" }).first().waitFor();
    await page.getByText("Adding 2 web unit(s): done.").waitFor({ timeout: 300_000 });
    const rows = page.getByRole("table", { name: "Units of web" }).locator("tbody tr");
    await page.getByRole("heading", { name: "Process web: 3 units" }).waitFor();
    assert.equal(await rows.count(), 3);
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('[aria-label="Units of web"] tbody tr')].every((r) =>
          /started/.test(r.textContent ?? ""),
        ),
      undefined,
      { timeout: 120_000 },
    );
    const units = await f.w.api("GET", `/apps/${APP}`);
    assert.equal((JSON.parse(units.body) as { units: unknown[] }).units.length, 3);
    await finalScreenshot(page, "scale-3");
  });

  test("sets a private env var and shows it masked (the value never reaches the page); a bad name gets the API's sentence", async () => {
    const f = get();
    const page = f.admin;
    const secret = `s3cret-${Math.random().toString(36).slice(2)}`;
    await openTab(page, "Environment");
    const form = page.locator("#env-form");
    await form.getByLabel("Name", { exact: true }).fill("1BAD NAME");
    await form.getByLabel("Value", { exact: true }).fill("x");
    await form.getByRole("button", { name: "Set variable" }).click();
    const error = form.locator("#env-form-error");
    await error.waitFor();
    const refusal = await apiSentence(f, "POST", `/apps/${APP}/env`, {
      "Envs.0.Name": "1BAD NAME",
      "Envs.0.Value": "x",
      Private: "false",
      NoRestart: "false",
    });
    assert.equal(refusal.status, 400);
    assert.equal((await error.textContent())?.trim(), refusal.body);
    assert.equal(await form.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");

    await form.getByLabel("Name", { exact: true }).fill("SECRET_TOKEN");
    await form.getByLabel("Value", { exact: true }).fill(secret);
    await form.getByLabel("Private (the value is never shown again)").check();
    await form.getByLabel("Don't restart the units now").check();
    await form.getByRole("button", { name: "Set variable" }).click();
    const cell = page.locator('tr[data-env="SECRET_TOKEN"] code');
    await cell.waitFor({ timeout: 120_000 });
    assert.equal((await cell.textContent())?.trim(), "*** (private variable)");
    assert.ok(!(await page.content()).includes(secret), "the private value is nowhere in the page");
    await finalScreenshot(page, "env-private");
  });
}
