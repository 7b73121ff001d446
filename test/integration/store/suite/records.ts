// Shared record tests: users, tokens, teams, roles, catalog, apps, quotas, transactions, migrations.
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import { ConflictError, NotFoundError, QuotaExceededError, type Store } from "../../../../src/store/index.js";
import { type Backend, type TestDatabase, appInput, seedCatalog } from "./backend.js";
import { sqliteMigrations } from "../../../../src/store/migrations/sqlite/index.js";

/** Every schema version, applied once (the same numbers on both dialects). */
const ALL_VERSIONS = sqliteMigrations.map((m) => m.version);

export function recordTests(backend: Backend): void {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await backend.create();
    store = await db.open();
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it("runs migrations once; reopening is a no-op that keeps data", async () => {
    assert.deepEqual(await store.migrationVersions(), ALL_VERSIONS);
    await store.createUser({ email: "a@b.c", passwordHash: "x" });
    await store.close();
    store = await db.open();
    assert.deepEqual(await store.migrationVersions(), ALL_VERSIONS);
    assert.equal((await store.getUser("a@b.c")).passwordHash, "x");
    const second = await db.open();
    assert.deepEqual(await second.migrationVersions(), ALL_VERSIONS);
    await second.close();
  });

  it("servers opening the same new database together migrate it exactly once", async () => {
    const fresh = await backend.create();
    try {
      const stores = await Promise.all([fresh.open(), fresh.open(), fresh.open()]);
      for (const s of stores) assert.deepEqual(await s.migrationVersions(), ALL_VERSIONS);
      await stores[0]!.createTeam({ name: "t", creatorEmail: "x" });
      assert.equal((await stores[2]!.getTeam("t")).name, "t");
      for (const s of stores) await s.close();
    } finally {
      await fresh.destroy();
    }
  });

  it("users: unique email, typed not-found, delete removes tokens and bindings", async () => {
    const u = await store.createUser({ email: "a@b.c", passwordHash: "hash1" });
    assert.equal(u.quota.limit, -1);
    await assert.rejects(store.createUser({ email: "a@b.c", passwordHash: "h" }), ConflictError);
    await assert.rejects(store.getUser("nobody@b.c"), NotFoundError);
    assert.equal(await store.findUser("nobody@b.c"), null);
    await store.updateUserPassword("a@b.c", "hash2");
    assert.equal((await store.getUser("a@b.c")).passwordHash, "hash2");
    await store.createRole({ name: "admin", contextType: "global", description: "" });
    await store.addRoleBinding({
      subjectType: "user",
      subject: "a@b.c",
      roleName: "admin",
      contextValue: "",
    });
    await store.createToken({
      tokenId: "s1",
      hash: "th1",
      kind: "session",
      userEmail: "a@b.c",
      team: null,
      description: "",
      expiresAt: null,
    });
    await store.deleteUser("a@b.c");
    assert.equal(await store.findTokenByHash("th1"), null);
    assert.deepEqual(await store.listRoleBindings({ subject: "a@b.c" }), []);
    await assert.rejects(store.deleteUser("a@b.c"), NotFoundError);
  });

  it("tokens: by hash, update, touch, team tokens and their bindings", async () => {
    await seedCatalog(store);
    const exp = new Date(Date.now() + 3600_000);
    await store.createToken({
      tokenId: "ci",
      hash: "hash-ci",
      kind: "team",
      userEmail: "alice@example.com",
      team: "t1",
      description: "deployer",
      expiresAt: exp,
    });
    await assert.rejects(
      store.createToken({
        tokenId: "ci",
        hash: "other",
        kind: "team",
        userEmail: null,
        team: "t1",
        description: "",
        expiresAt: null,
      }),
      ConflictError,
    );
    const t = await store.findTokenByHash("hash-ci");
    assert.equal(t?.tokenId, "ci");
    assert.equal(t?.expiresAt?.getTime(), exp.getTime());
    await store.touchToken("ci", new Date(1000));
    assert.equal((await store.getToken("ci")).lastAccess?.getTime(), 1000);
    const u = await store.updateToken("ci", { hash: "hash-ci-2", expiresAt: null });
    assert.equal(u.expiresAt, null);
    assert.equal(await store.findTokenByHash("hash-ci"), null);
    assert.equal((await store.listTokens({ team: "t1" })).length, 1);
    await store.createRole({ name: "tm", contextType: "team", description: "" });
    await store.addRoleBinding({ subjectType: "token", subject: "ci", roleName: "tm", contextValue: "t1" });
    await store.deleteToken("ci");
    assert.deepEqual(await store.listRoleBindings({ subjectType: "token" }), []);
    await assert.rejects(store.getToken("ci"), NotFoundError);
  });

  it("teams: conflict, rename cascades to apps and team bindings, delete refused while apps use it", async () => {
    await seedCatalog(store);
    await assert.rejects(store.createTeam({ name: "t1", creatorEmail: "x" }), ConflictError);
    await store.createRole({
      name: "team-member",
      contextType: "team",
      description: "",
      permissions: ["app"],
    });
    await store.addRoleBinding({
      subjectType: "user",
      subject: "alice@example.com",
      roleName: "team-member",
      contextValue: "t1",
    });
    await store.createApp(appInput("web"));
    await assert.rejects(store.updateTeam("t1", { newName: "t2" }), ConflictError);
    const t = await store.updateTeam("t1", { newName: "blue", tags: ["x"] });
    assert.deepEqual(t.tags, ["x"]);
    const app = await store.getApp("web");
    assert.equal(app.teamOwner, "blue");
    assert.deepEqual(app.teams, ["blue"]);
    assert.equal((await store.listRoleBindings({ roleName: "team-member" }))[0]?.contextValue, "blue");
    await assert.rejects(store.deleteTeam("blue"), ConflictError);
    await store.deleteApp("web");
    await store.deleteTeam("blue");
    assert.deepEqual(await store.listRoleBindings({ roleName: "team-member" }), []);
    await assert.rejects(store.getTeam("blue"), NotFoundError);
  });

  it("roles: conflict, default-role events, rename cascades to bindings, delete removes bindings", async () => {
    await store.createUser({ email: "a@b.c", passwordHash: "x" });
    await store.createRole({ name: "r1", contextType: "app", description: "d", permissions: ["app.deploy"] });
    await assert.rejects(
      store.createRole({ name: "r1", contextType: "global", description: "" }),
      ConflictError,
    );
    await store.updateRole("r1", { events: ["user-create"], permissions: ["app.deploy", "app.read"] });
    assert.deepEqual(
      (await store.listRoles({ event: "user-create" })).map((r) => r.name),
      ["r1"],
    );
    const b = { subjectType: "user" as const, subject: "a@b.c", roleName: "r1", contextValue: "app1" };
    await store.addRoleBinding(b);
    await assert.rejects(store.addRoleBinding(b), ConflictError);
    await assert.rejects(store.addRoleBinding({ ...b, roleName: "nope" }), NotFoundError);
    const r = await store.updateRole("r1", { newName: "r2" });
    assert.deepEqual(r.permissions, ["app.deploy", "app.read"]);
    assert.equal((await store.listRoleBindings({ subject: "a@b.c" }))[0]?.roleName, "r2");
    await store.removeRoleBinding({ ...b, roleName: "r2" });
    await assert.rejects(store.removeRoleBinding({ ...b, roleName: "r2" }), NotFoundError);
    await store.addRoleBinding({ ...b, roleName: "r2" });
    await store.deleteRole("r2");
    assert.deepEqual(await store.listRoleBindings(), []);
  });

  it("pools, platforms, plans: single default, constraints, image allow-list, images, in-use refusal", async () => {
    await seedCatalog(store);
    await assert.rejects(store.createPool({ name: "p1" }), ConflictError);
    await assert.rejects(store.createPool({ name: "p2", isDefault: true }), /Default pool already exists/);
    await store.createPool({ name: "p2", isPublic: true });
    await assert.rejects(store.updatePool("p2", { isDefault: true }), ConflictError);
    await store.updatePool("p1", { isDefault: false });
    assert.equal((await store.updatePool("p2", { isDefault: true })).isDefault, true);
    assert.equal((await store.findDefaultPool())?.name, "p2");
    assert.deepEqual((await store.getPool("p2")).imageAllowList, [], "a new pool allows any external image");
    const allow = ["docker.io/library/node", "quay.io/acme/*"];
    assert.deepEqual((await store.updatePool("p2", { imageAllowList: allow })).imageAllowList, allow);
    await store.updatePool("p2", { isPublic: false });
    assert.deepEqual((await store.getPool("p2")).imageAllowList, allow, "other updates keep the allow-list");
    assert.deepEqual((await store.updatePool("p2", { imageAllowList: [] })).imageAllowList, []);
    await store.setPoolConstraint({ poolExpr: "*", field: "team", values: ["t1"], blacklist: false });
    await store.setPoolConstraint({ poolExpr: "*", field: "team", values: ["t1", "t2"], blacklist: true });
    assert.deepEqual(await store.listPoolConstraints(), [
      { poolExpr: "*", field: "team", values: ["t1", "t2"], blacklist: true },
    ]);
    await store.setPoolConstraint({ poolExpr: "*", field: "team", values: [], blacklist: false });
    assert.deepEqual(await store.listPoolConstraints(), []);

    const p = await store.updatePlatform("python", { image: "registry/tsuru/python:v2" });
    assert.equal(p.version, 2);
    assert.deepEqual(p.images, ["registry/tsuru/python:v2", "registry/tsuru/python:v1"]);
    await store.updatePlatform("python", { disabled: true });
    assert.deepEqual(await store.listPlatforms({ enabledOnly: true }), []);
    await assert.rejects(store.createPlatform({ name: "python" }), ConflictError);

    await assert.rejects(
      store.createPlan({ name: "big", memory: 1, swap: 0, cpuMilli: 0, cpuShare: 0, isDefault: true }),
      ConflictError,
    );
    assert.equal((await store.findDefaultPlan())?.name, "small");

    await store.createApp(appInput("web", { pool: "p2" }));
    await assert.rejects(store.deletePool("p2"), /still used by app "web"/);
    await assert.rejects(store.deletePlatform("python"), ConflictError);
    await assert.rejects(store.deletePlan("small"), ConflictError);
    await store.deletePool("p1");
    await assert.rejects(store.getPool("p1"), NotFoundError);
  });

  it("apps: references, uniqueness, cnames, access, filters, env", async () => {
    await seedCatalog(store);
    await assert.rejects(store.createApp(appInput("a1", { pool: "nope" })), NotFoundError);
    await assert.rejects(store.createApp(appInput("a1", { teams: ["ghost"] })), NotFoundError);
    const a = await store.createApp(
      appInput("a1", {
        tags: ["x", "y"],
        cnames: ["a1.example.com"],
        routers: [{ name: "r", opts: { k: "v" } }],
      }),
    );
    assert.deepEqual(a.teams, ["t1"]);
    assert.deepEqual(a.routers, [{ name: "r", opts: { k: "v" } }]);
    await assert.rejects(store.createApp(appInput("a1")), ConflictError);
    await assert.rejects(store.createApp(appInput("a2", { cnames: ["a1.example.com"] })), /cname/);
    assert.equal(await store.findApp("a2"), null, "failed create leaves nothing behind");
    await store.createApp(appInput("a2", { teamOwner: "t2", tags: ["x"] }));
    await assert.rejects(store.addAppCnames("a2", ["a1.example.com"]), ConflictError);
    await store.addAppCnames("a2", ["a2.example.com", "www.a2.example.com"]);
    assert.equal((await store.findAppByCname("www.a2.example.com"))?.name, "a2");
    await store.removeAppCnames("a2", ["www.a2.example.com"]);
    assert.deepEqual((await store.getApp("a2")).cnames, ["a2.example.com"]);

    await store.grantAppTeam("a1", "t2");
    await assert.rejects(store.grantAppTeam("a1", "t2"), ConflictError);
    await assert.rejects(store.grantAppTeam("a1", "ghost"), NotFoundError);
    const names = async (f: Parameters<Store["listApps"]>[0]) => (await store.listApps(f)).map((x) => x.name);
    assert.deepEqual(await names({ accessibleByTeams: ["t2"] }), ["a1", "a2"]);
    await store.revokeAppTeam("a1", "t2");
    assert.deepEqual(await names({ accessibleByTeams: ["t2"] }), ["a2"]);
    assert.deepEqual(await names({ accessibleByTeams: [] }), []);
    assert.deepEqual(await names({ tags: ["x", "y"] }), ["a1"]);
    assert.deepEqual(await names({ nameContains: "2" }), ["a2"]);
    assert.deepEqual(await names({ nameContains: "%" }), []);
    assert.deepEqual(await names({ teamOwner: "t1", pool: "p1" }), ["a1"]);

    const upd = await store.updateApp("a1", { description: "d", teamOwner: "t2", deploys: 3 });
    assert.equal(upd.description, "d");
    assert.deepEqual(upd.teams, ["t1", "t2"]);
    assert.equal(upd.deploys, 3);
    await assert.rejects(store.updateApp("a1", { plan: "ghost" }), NotFoundError);

    await store.setAppEnv("a1", [
      { name: "B", value: "2", public: false, alias: "" },
      { name: "A", value: "1", public: true, alias: "" },
    ]);
    await store.setAppEnv("a1", [{ name: "B", value: "3", public: false, alias: "" }]);
    assert.deepEqual(await store.getAppEnv("a1"), [
      { name: "A", value: "1", public: true, alias: "" },
      { name: "B", value: "3", public: false, alias: "" },
    ]);
    assert.deepEqual(
      (await store.getAppEnv("a1", ["B", "Z"])).map((e) => e.name),
      ["B"],
    );
    assert.equal(await store.unsetAppEnv("a1", ["A", "Z"]), 1);
    await store.deleteApp("a1");
    await assert.rejects(store.getAppEnv("a1"), NotFoundError);
    assert.equal(await store.findAppByCname("a1.example.com"), null);
    await assert.rejects(store.deleteApp("a1"), NotFoundError);
  });

  it("quotas: apps per user and team are counted, and parallel creations never pass the limit", async () => {
    await seedCatalog(store);
    await store.setQuotaLimit("user", "alice@example.com", 5);
    const create = (name: string) =>
      store.tx(async (t) => {
        await t.createApp(appInput(name));
        await t.checkAppQuota("user", "alice@example.com");
        await t.checkAppQuota("team", "t1");
      });
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => create(`q${i}`)));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 5);
    const rej = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    assert.ok(rej.reason instanceof QuotaExceededError, String(rej.reason));
    assert.equal(
      (await store.listApps({ owner: "alice@example.com" })).length,
      5,
      "refused ones left nothing",
    );
    assert.deepEqual(await store.getQuota("user", "alice@example.com"), { limit: 5, inUse: 5 });
    assert.deepEqual(await store.getQuota("team", "t1"), { limit: -1, inUse: 5 });
    await assert.rejects(store.setQuotaLimit("user", "alice@example.com", 4), QuotaExceededError);
    assert.equal((await store.getQuota("user", "alice@example.com")).limit, 5, "a refused limit is not set");
    const mine = await store.listApps({ owner: "alice@example.com" });
    for (const a of mine.slice(0, 2)) await store.deleteApp(a.name);
    assert.deepEqual(await store.setQuotaLimit("user", "alice@example.com", 3), { limit: 3, inUse: 3 });
    await assert.rejects(create("q-over"), QuotaExceededError);
    // A team at its limit refuses the next app even for an unlimited user.
    await store.setQuotaLimit("user", "alice@example.com", -1);
    await store.setQuotaLimit("team", "t1", 4);
    await create("q-fourth");
    await assert.rejects(create("q-fifth"), QuotaExceededError);
    assert.deepEqual(await store.getQuota("team", "t1"), { limit: 4, inUse: 4 });
    await assert.rejects(store.getQuota("team", "ghost"), NotFoundError);
    // An owner with no user record (a removed user) has no quota to enforce.
    await store.tx(async (t) => {
      await t.createApp(appInput("orphan", { owner: "gone@example.com", teamOwner: "t2" }));
      await t.checkAppQuota("user", "gone@example.com");
    });
    // Units per app: a kept counter.
    await store.createApp(appInput("a1", { quotaLimit: 2, teamOwner: "t2" }));
    await store.reserveQuota("app", "a1", 2);
    await assert.rejects(store.reserveQuota("app", "a1", 1), QuotaExceededError);
    assert.deepEqual(await store.setQuotaInUse("app", "a1", 1), { limit: 2, inUse: 1 });
    await store.releaseQuota("app", "a1", 10);
    assert.equal((await store.getQuota("app", "a1")).inUse, 0);
  });

  it("tx: commits together, rolls back on throw, refuses the outer store inside", async () => {
    await seedCatalog(store);
    await store.tx(async (t) => {
      await t.createApp(appInput("a1"));
      await t.checkAppQuota("team", "t1");
    });
    await assert.rejects(
      store.tx(async (t) => {
        await t.createApp(appInput("a2"));
        await t.checkAppQuota("team", "t1");
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(await store.findApp("a2"), null);
    assert.equal((await store.getQuota("team", "t1")).inUse, 1);
    // A conflict caught inside the transaction must leave it usable (no aborted PG transaction).
    await store.tx(async (t) => {
      await assert.rejects(t.createApp(appInput("a1")), ConflictError);
      await t.createApp(appInput("a3"));
    });
    assert.ok(await store.findApp("a3"));
    await assert.rejects(
      store.tx(async () => {
        await store.createTeam({ name: "inner", creatorEmail: "x" });
      }),
      /inside store.tx/,
    );
    assert.equal(await store.findTeam("inner"), null);
  });
}
