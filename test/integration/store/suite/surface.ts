// Shared tests of schema v11 (the rest of tsuru's client surface): users' SSH keys, password
// reset tokens, sealed API key secrets, event blocks and webhooks, per-pool log and healer
// settings, and per-node TLS material; each removed with what it belongs to.
import assert from "node:assert/strict";
import { afterEach, beforeEach, it } from "node:test";
import { ConflictError, NotFoundError, type Store } from "../../../../src/store/index.js";
import { seedCatalog, type Backend, type TestDatabase } from "./backend.js";

const ALICE = "alice@example.com";

const hook = (name: string, team = "t1") => ({
  name,
  teamOwner: team,
  description: "",
  eventFilter: {
    targetTypes: [],
    targetValues: [],
    kindTypes: [],
    kindNames: ["app.deploy"],
    errorOnly: false,
    successOnly: false,
  },
  url: "http://127.0.0.1:9/x",
  proxyUrl: "",
  headers: { "X-A": ["1", "2"] },
  method: "POST",
  body: "",
  insecure: false,
  secretSealed: "sealed",
  allEvents: false,
});

export function surfaceTests(backend: Backend): void {
  let db: TestDatabase;
  let store: Store;
  beforeEach(async () => {
    db = await backend.create();
    store = await db.open();
    await seedCatalog(store);
    await store.createUser({ email: "bob@example.com", passwordHash: "h2" });
  });
  afterEach(async () => {
    await store.close();
    await db.destroy();
  });

  it("user keys: a name once per user, a key once across users; replace; removed with the user", async () => {
    const k = { userEmail: ALICE, name: "laptop", body: "ssh-ed25519 AAAA1", fingerprint: "SHA256:one" };
    await store.addUserKey(k);
    await assert.rejects(
      store.addUserKey({ ...k, body: "ssh-ed25519 AAAA2", fingerprint: "SHA256:two" }),
      (e: unknown) => e instanceof ConflictError && e.entity === "key-name",
    );
    await assert.rejects(
      store.addUserKey({ ...k, userEmail: "bob@example.com", name: "mine" }),
      (e: unknown) => e instanceof ConflictError && e.entity === "key",
    );
    await store.addUserKey({ ...k, body: "ssh-ed25519 AAAA2", fingerprint: "SHA256:two" }, { replace: true });
    const listed = await store.listUserKeys({ userEmail: ALICE });
    assert.deepEqual(
      listed.map((x) => [x.name, x.body, x.fingerprint]),
      [["laptop", "ssh-ed25519 AAAA2", "SHA256:two"]],
    );
    assert.equal((await store.listUserKeys({ fingerprint: "SHA256:one" })).length, 0);
    await assert.rejects(store.deleteUserKey(ALICE, "nope"), NotFoundError);
    await store.addUserKey({ userEmail: "bob@example.com", name: "b", body: "x", fingerprint: "SHA256:b" });
    await store.deleteUser("bob@example.com");
    assert.deepEqual(
      (await store.listUserKeys()).map((x) => x.userEmail),
      [ALICE],
    );
  });

  it("password resets: found by hash, used exactly once", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    await store.createPasswordReset({ tokenHash: "h".repeat(64), userEmail: ALICE, expiresAt });
    const r = await store.findPasswordReset("h".repeat(64));
    assert.equal(r?.userEmail, ALICE);
    assert.equal(r?.used, false);
    assert.equal(r?.expiresAt.getTime(), expiresAt.getTime());
    assert.equal(await store.usePasswordReset("h".repeat(64)), true);
    assert.equal(await store.usePasswordReset("h".repeat(64)), false, "a second use loses");
    assert.equal((await store.findPasswordReset("h".repeat(64)))?.used, true);
    assert.equal(await store.findPasswordReset("x".repeat(64)), null);
  });

  it("API key secrets: kept per token, replaced, removed with the token", async () => {
    await store.createToken({
      tokenId: "apikey-a",
      hash: "hash-a",
      kind: "api-key",
      userEmail: ALICE,
      team: null,
      description: "API key",
      expiresAt: null,
    });
    await store.setApiKeySecret("apikey-a", "s1");
    await store.setApiKeySecret("apikey-a", "s2");
    assert.equal(await store.findApiKeySecret("apikey-a"), "s2");
    await store.deleteTokens({ userEmail: ALICE, kind: "api-key" });
    assert.equal(await store.findApiKeySecret("apikey-a"), null);
  });

  it("event blocks: newest first, active filter, deactivated once with its end time", async () => {
    const t0 = new Date(1_700_000_000_000);
    const mk = (id: string, at: number) =>
      store.createEventBlock({
        id,
        startTime: new Date(t0.getTime() + at),
        kindName: "app.deploy",
        ownerName: "",
        target: { type: "app", value: "a1" },
        reason: `r${id}`,
      });
    await mk("a".repeat(24), 0);
    await mk("b".repeat(24), 1000);
    assert.deepEqual(
      (await store.listEventBlocks()).map((b) => b.id[0]),
      ["b", "a"],
    );
    const off = await store.deactivateEventBlock("a".repeat(24), new Date(t0.getTime() + 5000));
    assert.equal(off.active, false);
    assert.equal(off.endTime?.getTime(), t0.getTime() + 5000);
    assert.deepEqual(off.target, { type: "app", value: "a1" });
    assert.deepEqual(
      (await store.listEventBlocks({ active: true })).map((b) => b.id[0]),
      ["b"],
    );
    await assert.rejects(store.deactivateEventBlock("a".repeat(24)), NotFoundError);
  });

  it("webhooks: unique names, listed by team, patched, removed with their team", async () => {
    await store.createWebhook(hook("h1"));
    await assert.rejects(store.createWebhook(hook("h1", "t2")), ConflictError);
    await store.createWebhook(hook("h2", "t2"));
    const h1 = await store.findWebhook("h1");
    assert.deepEqual(h1?.headers, { "X-A": ["1", "2"] });
    assert.deepEqual(h1?.eventFilter.kindNames, ["app.deploy"]);
    assert.equal(h1?.allEvents, false);
    assert.deepEqual(
      (await store.listWebhooks({ teams: ["t2"] })).map((x) => x.name),
      ["h2"],
    );
    const up = await store.updateWebhook("h1", { url: "http://127.0.0.1:9/y", allEvents: true });
    assert.equal(up.url, "http://127.0.0.1:9/y");
    assert.equal(up.allEvents, true);
    assert.equal(up.secretSealed, "sealed", "what the patch leaves out stays");
    await assert.rejects(store.updateWebhook("nope", { url: "x" }), NotFoundError);
    await store.deleteTeam("t2");
    assert.deepEqual(
      (await store.listWebhooks()).map((x) => x.name),
      ["h1"],
    );
    await store.deleteWebhook("h1");
    await assert.rejects(store.deleteWebhook("h1"), NotFoundError);
  });

  it("pool settings: log drivers and healer settings upserted per pool; all-null healing is removed; both go with the pool", async () => {
    await store.createPool({ name: "p2", isDefault: false });
    await store.setPoolLogSettings({ pool: "", driver: "json-file", opts: {} });
    await store.setPoolLogSettings({ pool: "p2", driver: "syslog", opts: { tag: "x" } });
    await store.setPoolLogSettings({ pool: "p2", driver: "gelf", opts: { "gelf-address": "udp://h:1" } });
    assert.deepEqual(
      (await store.listPoolLogSettings()).map((r) => [r.pool, r.driver, r.opts]),
      [
        ["", "json-file", {}],
        ["p2", "gelf", { "gelf-address": "udp://h:1" }],
      ],
    );
    await store.setPoolHealing({
      pool: "p2",
      enabled: false,
      maxUnresponsiveSeconds: 60,
      maxSinceSuccessSeconds: null,
    });
    const [hp] = await store.listPoolHealing();
    assert.deepEqual(
      [hp?.pool, hp?.enabled, hp?.maxUnresponsiveSeconds, hp?.maxSinceSuccessSeconds],
      ["p2", false, 60, null],
    );
    assert.equal(
      await store.setPoolHealing({
        pool: "p2",
        enabled: null,
        maxUnresponsiveSeconds: null,
        maxSinceSuccessSeconds: null,
      }),
      null,
    );
    assert.deepEqual(await store.listPoolHealing(), []);
    await store.setPoolHealing({
      pool: "p2",
      enabled: true,
      maxUnresponsiveSeconds: null,
      maxSinceSuccessSeconds: 9,
    });
    await store.deletePool("p2");
    assert.deepEqual(await store.listPoolHealing(), []);
    assert.deepEqual(
      (await store.listPoolLogSettings()).map((r) => r.pool),
      [""],
    );
  });

  it("node TLS: only for a registered node, replaced, removed with the node", async () => {
    const tls = {
      address: "https://10.0.0.1:2376",
      caCert: "CA",
      clientCert: "CERT",
      clientKeySealed: "KEY",
    };
    await assert.rejects(store.setNodeTls(tls), NotFoundError);
    await store.createNode({
      address: tls.address,
      pool: "p1",
      metadata: {},
      engineId: "E1",
      engineName: "n1",
      labels: {},
      cpus: 1,
      memory: 2 ** 30,
      disabled: false,
    });
    await store.setNodeTls(tls);
    await store.setNodeTls({ ...tls, caCert: "CA2" });
    assert.deepEqual(await store.listNodeTls(), [{ ...tls, caCert: "CA2" }]);
    await store.deleteNode(tls.address);
    assert.deepEqual(await store.listNodeTls(), []);
  });
}
