// Image reference authorization on a real store: a pool's allow-list of external images set
// through PUT /pools/:pool (validated, cleared, shown in pool list), and the deploy check that
// refuses another team's repositories of the cluster registry with a 403 naming them.
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { harness, call, world, type Harness, type World } from "./helpers.js";
import { authenticate } from "../../../src/domain/services/auth.js";
import { authorizeDeployImages } from "../../../src/domain/services/image-policy.js";
import type { Principal } from "../../../src/domain/services/principal.js";
import { ForbiddenError } from "../../../src/domain/errors.js";

const REG = "10.213.16.1:5000";
let h: Harness;
let w: World;
let alice: Principal;
before(async () => {
  h = await harness();
  w = await world(h.app);
  alice = (await authenticate(h.app.ctx, w.alice))!;
});
after(async () => h.close());

const allowListOf = async (pool: string) =>
  (
    (await call(h.app, "GET", "/1.0/pools", { token: w.admin })).json() as Array<{
      name: string;
      imageAllowList: string[];
    }>
  ).find((p) => p.name === pool)?.imageAllowList;

const setAllow = (token: string, values: string[]) =>
  call(h.app, "PUT", "/1.0/pools/default", {
    token,
    form: { "image-allowlist": values, public: "", default: "", force: "false" },
  });

test("an operator sets, keeps and clears a pool's allow-list of external images; bad patterns are a 400", async () => {
  assert.deepEqual(await allowListOf("default"), []);
  const ok = await setAllow(w.admin, ["docker.io/library/node", "Quay.io/acme/*", "docker.io/library/node"]);
  assert.equal(ok.status, 200, ok.body);
  assert.deepEqual(await allowListOf("default"), ["docker.io/library/node", "quay.io/acme/*"]);
  const other = await call(h.app, "PUT", "/1.0/pools/default", {
    token: w.admin,
    form: { public: "false", default: "", force: "false" },
  });
  assert.equal(other.status, 200, other.body);
  assert.deepEqual(await allowListOf("default"), ["docker.io/library/node", "quay.io/acme/*"], "kept");
  for (const bad of ["node", "docker.io/", "docker.io//x", "exa mple.com/x"]) {
    const r = await setAllow(w.admin, [bad]);
    assert.equal(r.status, 400, bad);
    assert.match(r.body, /is not an image pattern: write registry\/path/);
  }
  assert.equal((await setAllow(w.alice, ["docker.io/library/node"])).status, 403, "a team member is refused");
  assert.equal((await setAllow(w.admin, [""])).status, 200);
  assert.deepEqual(await allowListOf("default"), [], "one empty value clears the list");
});

test("a deploy may name its own app's and platform repositories of the cluster registry, never another team's", async () => {
  const app = await h.store.getApp("blue-app");
  const check = (c: { image?: string; dockerfile?: { text: string; buildArgs?: Record<string, string> } }) =>
    authorizeDeployImages(h.app.ctx, alice, app, { clusterRegistries: [REG], ...c });
  assert.deepEqual(await check({ image: `${REG}/blue-app:v1` }), [`${REG}/blue-app:v1`]);
  await check({ image: `${REG}/wharf/platform-python:v3` });
  await check({ image: "docker.io/library/busybox:1" });
  await assert.rejects(check({ image: `${REG}/red-app:v1` }), (e: Error) => {
    assert.ok(e instanceof ForbiddenError);
    assert.match(e.message, /repository "red-app" of the cluster registry/);
    return true;
  });
  await assert.rejects(check({ image: `${REG}/wharf/agent:v1` }), /repository "wharf\/agent"/);
  await assert.rejects(check({ image: `${REG}/ghost-app:v1` }), /repository "ghost-app"/);
  // Every image of a Dockerfile: a later stage, an ARG-substituted FROM, a COPY --from.
  const dockerfile = [
    `ARG BASE=${REG}/wharf/platform-python:v1`,
    "FROM --platform=linux/amd64 $BASE AS base",
    `FROM base`,
    "ARG STAGE",
    `COPY --from=${REG}/blue-app:v2 /app /app`,
  ].join("\n");
  assert.equal((await check({ dockerfile: { text: dockerfile } })).length, 2);
  await assert.rejects(
    check({ dockerfile: { text: dockerfile, buildArgs: { BASE: `${REG}/red-app:v1` } } }),
    /repository "red-app"/,
  );
  await assert.rejects(
    check({ dockerfile: { text: `FROM busybox\nFROM ${REG}/red-app:latest AS steal\n` } }),
    /repository "red-app"/,
  );
});

test("with an allow-list, external images outside it are refused and those in it allowed", async () => {
  assert.equal((await setAllow(w.admin, ["docker.io/library/node", "quay.io/acme/*"])).status, 200);
  const app = await h.store.getApp("blue-app");
  const check = (image: string) =>
    authorizeDeployImages(h.app.ctx, alice, app, { clusterRegistries: [REG], image });
  await check("node:20");
  await check("quay.io/acme/tools/cli:1");
  await check(`${REG}/blue-app:v1`);
  await assert.rejects(
    check("docker.io/library/python:3"),
    /not in this pool's list of allowed external images/,
  );
  await assert.rejects(check("quay.io/other/x"), /"quay.io\/other\/x"/);
  assert.equal((await setAllow(w.admin, [""])).status, 200);
});
