// The deploy pipeline, unit operations and start-up convergence against the in-memory
// provisioner (a test double, test/support/in-memory-provisioner.ts) on a real in-memory
// store: the layers above src/provision need no Docker to be reasoned about. Routes are read
// back from what the store published, as a router sees them.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { openStore, type Store } from "../../../src/store/index.js";
import type { App } from "../../../src/store/types.js";
import { defaultConfig } from "../../../src/config/config.js";
import { makeCtx } from "../../../src/domain/services/context.js";
import type { Principal } from "../../../src/domain/services/principal.js";
import type { DeployCtx } from "../../../src/deploy/context.js";
import {
  addUnits,
  removeAllUnits,
  removeUnits,
  restartApp,
  startApp,
  stopApp,
} from "../../../src/deploy/unit-ops.js";
import { rollbackApp } from "../../../src/deploy/versions.js";
import { runCommand } from "../../../src/deploy/run.js";
import { ProvisionerRegistry } from "../../../src/provision/registry.js";
import { reconcileAll } from "../../../src/reconcile/startup.js";
import { loadRouteSnapshot } from "../../../src/store/routes.js";
import { BadRequestError } from "../../../src/domain/errors.js";
import { InMemoryProvisioner } from "../../support/in-memory-provisioner.js";
import { addNode } from "./heal/store-fixtures.js";

const ADMIN: Principal = {
  kind: "user",
  email: "a@b.c",
  tokenId: "t",
  team: null,
  permissions: [{ scheme: "", context: { type: "global", value: "" } }],
};
const GiB = 2 ** 30;
let store: Store;
let mem: InMemoryProvisioner;
let dc: DeployCtx;
let app: App;
const out: string[] = [];
const say = (line: string) => void out.push(line);

/** A ready version of the app with a web and a worker process. */
async function readyVersion(): Promise<number> {
  const v = await store.createAppVersion({
    app: "shop",
    origin: "image",
    message: "",
    owner: "a@b.c",
    eventId: "",
  });
  await store.updateAppVersion("shop", v.version, {
    status: "ready",
    image: `r/shop:v${v.version}`,
    processes: { web: "node web.js", worker: "node worker.js" },
  });
  return v.version;
}

/** What the router is told for the app: its backends' unit ids. */
async function routed(): Promise<string[]> {
  const snap = await loadRouteSnapshot(store);
  return (snap.apps.find((a) => a.app === "shop")?.backends ?? []).map((b) => b.id).sort();
}

async function started(process: string) {
  return (await store.listUnits({ app: "shop", process, status: ["started"] })).map((u) => u.id).sort();
}

beforeEach(async () => {
  store = await openStore({ kind: "sqlite", path: ":memory:" });
  await store.createTeam({ name: "devs", creatorEmail: "a@b.c" });
  await store.createPool({ name: "main", isDefault: true });
  await store.createPlatform({ name: "node" });
  await store.createPlan({ name: "small", memory: 0, swap: 0, cpuMilli: 0, cpuShare: 100, isDefault: true });
  app = await store.createApp({
    name: "shop",
    platform: "node",
    plan: "small",
    pool: "main",
    teamOwner: "devs",
    owner: "a@b.c",
  });
  await addNode(store, "https://10.0.0.1:2376", 8 * GiB);
  await addNode(store, "https://10.0.0.2:2376", 8 * GiB);
  mem = new InMemoryProvisioner("docker", store);
  dc = {
    ctx: makeCtx(store, defaultConfig()),
    provisioners: new ProvisionerRegistry().register(mem),
  } as unknown as DeployCtx;
  out.length = 0;
  // The first deploy: one unit per process, served.
  const v1 = await readyVersion();
  await rollbackApp(dc, ADMIN, "shop", `v${v1}`, say);
});

afterEach(async () => {
  await store.close();
});

describe("deploy pipeline on the in-memory provisioner", () => {
  it("a rollback to an earlier version runs through the app's pool's provisioner, under a locking event, and switches routes with the version", async () => {
    const v2 = await readyVersion();
    await rollbackApp(dc, ADMIN, "shop", `v${v2}`, say);
    const units = await store.listUnits({ app: "shop" });
    assert.deepEqual(new Set(units.map((u) => u.version)), new Set([v2]), "only the new version runs");
    assert.equal((await store.getAppRuntime("shop")).routableVersion, v2);
    assert.deepEqual(
      await routed(),
      await started("web"),
      "the router serves the new web units, and only them",
    );
    assert.ok(mem.calls.includes(`deploy v${v2}`));
    const [ev] = await store.listEvents({ targetType: "app", limit: 1 });
    assert.equal(ev?.running, false, "the deploy's event ended");
    assert.ok(out.some((l) => /Routes updated: version v2/.test(l)));
  });

  it("a failed rollout leaves the previous version serving and nothing of the new one", async () => {
    const before = await routed();
    const v2 = await readyVersion();
    mem.failNextStart = "healthcheck failed";
    await assert.rejects(rollbackApp(dc, ADMIN, "shop", `v${v2}`, say), /did not become healthy/);
    assert.equal((await store.getAppRuntime("shop")).routableVersion, 1);
    assert.deepEqual(await routed(), before);
    assert.equal((await store.listUnits({ app: "shop" })).filter((u) => u.version === v2).length, 0);
  });
});

describe("unit operations record intent, then converge", () => {
  it("unit add records the desired count and the new units serve; unit remove takes them away", async () => {
    await addUnits(dc, app, "web", 2, say);
    assert.deepEqual((await store.listAppProcesses("shop")).find((p) => p.process === "web")?.units, 3);
    assert.equal((await started("web")).length, 3);
    assert.deepEqual(await routed(), await started("web"));
    await removeUnits(dc, app, "web", 2, say);
    assert.equal((await started("web")).length, 1);
    assert.deepEqual(await routed(), await started("web"));
    assert.equal(mem.running.size, 2, "one web and one worker container left");
  });

  it("a unit add whose units cannot start changes nothing: the intent is put back", async () => {
    mem.failNextStart = "no answer";
    await assert.rejects(addUnits(dc, app, "web", 1, say), /did not become healthy/);
    assert.equal((await store.listAppProcesses("shop")).find((p) => p.process === "web")?.units, 1);
    assert.equal((await started("web")).length, 1);
  });

  it("an app with several processes needs -p, and an unknown process is a 400 naming the known ones", async () => {
    await assert.rejects(
      addUnits(dc, app, "", 1, say),
      (e: unknown) => e instanceof BadRequestError && /-p/.test(e.message),
    );
    await assert.rejects(
      addUnits(dc, app, "cron", 1, say),
      (e: unknown) => e instanceof BadRequestError && /web, worker/.test(e.message),
    );
    assert.deepEqual(
      mem.calls.filter((c) => c.startsWith("addUnits")),
      [],
      "the provisioner was never asked",
    );
  });

  it("stop keeps the counts with no unit running or routed; start brings them back", async () => {
    await addUnits(dc, app, "web", 1, say);
    await stopApp(dc, app, "", say);
    assert.equal((await store.listUnits({ app: "shop" })).length, 0);
    assert.deepEqual(await routed(), []);
    assert.deepEqual(
      (await store.listAppProcesses("shop")).map((p) => [p.process, p.units, p.stopped]).sort(),
      [
        ["web", 2, true],
        ["worker", 1, true],
      ],
    );
    await startApp(dc, app, "", say);
    assert.equal((await started("web")).length, 2);
    assert.equal((await started("worker")).length, 1);
  });

  it("restart of one process replaces its units only, keeping the counts", async () => {
    const web = await started("web");
    const worker = await started("worker");
    await restartApp(dc, app, "web", say);
    const web2 = await started("web");
    assert.equal(web2.length, web.length);
    assert.equal(web2.filter((id) => web.includes(id)).length, 0, "every web unit was replaced");
    assert.deepEqual(await started("worker"), worker, "the worker was left alone");
    assert.deepEqual(await routed(), web2);
  });

  it("app run and app remove go to the pool's provisioner", async () => {
    await runCommand(dc, app, { command: "ls", once: true, isolated: false }, say);
    assert.ok(mem.calls.includes("run once ls"));
    await removeAllUnits(dc, "shop");
    assert.equal(mem.running.size, 0);
    assert.deepEqual(await routed(), []);
  });
});

describe("start-up convergence and healing decisions", () => {
  it("a lost unit container and a half-made unit are replaced up to the recorded count, with no duplicate", async () => {
    await addUnits(dc, app, "web", 2, say);
    const [lost] = await started("web");
    mem.lose(lost!);
    // A unit a crash left half-made (its container never switched in).
    await store.createUnit({
      id: "shop-web-half",
      app: "shop",
      process: "web",
      version: 1,
      node: "https://10.0.0.1:2376",
      containerId: "",
      host: "",
      port: 0,
      status: "starting",
      routable: false,
      restartGen: 0,
      error: "",
    });
    const r = await reconcileAll(store, dc.provisioners);
    assert.equal(r.errors.length, 0, r.errors.join("\n"));
    assert.equal(r.added, 1);
    assert.equal(r.discarded, 2, "the lost unit and the half-made one");
    const web = await started("web");
    assert.equal(web.length, 3);
    assert.ok(!web.includes(lost!));
    assert.equal(mem.running.size, 4, "3 web + 1 worker, no duplicate");
    assert.deepEqual(await routed(), web);
  });

  it("intent recorded but never converged (a crash right after it) is finished at start-up", async () => {
    await store.setAppProcess({ app: "shop", process: "web", units: 4, stopped: false });
    await reconcileAll(store, dc.provisioners);
    assert.equal((await started("web")).length, 4);
    await reconcileAll(store, dc.provisioners);
    assert.equal((await started("web")).length, 4, "a second run changes nothing");
  });

  it("an app with an operation running is left alone", async () => {
    await store.setAppProcess({ app: "shop", process: "web", units: 3, stopped: false });
    await store.createEvent({
      kind: { type: "permission", name: "app.update.unit.add" },
      target: { type: "app", value: "shop" },
      owner: { type: "user", name: "a@b.c" },
      lock: true,
      instanceId: "other",
    });
    const r = await reconcileAll(store, dc.provisioners);
    assert.equal(r.busyApps, 1);
    assert.equal((await started("web")).length, 1);
  });
});
