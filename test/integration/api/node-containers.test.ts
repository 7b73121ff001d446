// tsuru's node container routes on a real server and store (no cluster: the entries are
// kept, nothing runs): tsuru-client's form, the list and info shapes it decodes, 409 on a
// second add, updates merged over the entry, pool entries needing their pool, removal,
// and who may do what (admins; team members get 403).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { call, harness, world, type Harness, type World } from "./helpers.js";

let h: Harness;
let w: World;

before(async () => {
  h = await harness();
  w = await world(h.app);
});
after(() => h.close());

// What tsuru-client 1.7 sends for `node-container-add bs -i tsuru/bs:v2 -e A=1 -v /proc:/prochost:ro`.
const TSURU_FORM = {
  name: "bs",
  pool: "",
  "config.image": "tsuru/bs:v2",
  "config.env.0": "A=1",
  "config.hostname": "",
  "config.attachstdin": "false",
  "config.tty": "false",
  "hostconfig.binds.0": "/proc:/prochost:ro",
  "hostconfig.privileged": "false",
  "hostconfig.restartpolicy.name": "always",
  "hostconfig.oomkilldisable": "false",
  "hostconfig.memory": "0",
};

test("add with tsuru-client's form, then list and info in tsuru's shapes", async () => {
  const r = await call(h.app, "POST", "/1.0/docker/nodecontainers", { token: w.admin, form: TSURU_FORM });
  assert.equal(r.status, 200, r.body);
  const list = await call(h.app, "GET", "/1.0/docker/nodecontainers", { token: w.admin });
  assert.deepEqual(list.json(), [
    {
      Name: "bs",
      ConfigPools: {
        "": {
          Name: "bs",
          PinnedImage: "",
          Disabled: null,
          Config: { Image: "tsuru/bs:v2", Env: ["A=1"] },
          HostConfig: { Binds: ["/proc:/prochost:ro"], RestartPolicy: { Name: "always" } },
        },
      },
    },
  ]);
  const info = await call(h.app, "GET", "/1.0/docker/nodecontainers/bs", { token: w.admin });
  assert.deepEqual(Object.keys(info.json() as object), [""]);
  const again = await call(h.app, "POST", "/1.0/docker/nodecontainers", { token: w.admin, form: TSURU_FORM });
  assert.equal(again.status, 409);
  assert.match(again.body, /update/);
});

test("update merges over the entry; a pool entry needs an existing pool; remove takes entries away", async () => {
  const up = await call(h.app, "POST", "/1.0/docker/nodecontainers/bs", {
    token: w.admin,
    form: { pool: "", "config.env.0": "A=2", disabled: "true" },
  });
  assert.equal(up.status, 200, up.body);
  const spec = (
    await call(h.app, "GET", "/1.0/docker/nodecontainers/bs", { token: w.admin })
  ).json() as Record<string, { Config: { Image: string; Env: string[] }; Disabled: boolean }>;
  assert.equal(spec[""]!.Config.Image, "tsuru/bs:v2");
  assert.deepEqual(spec[""]!.Config.Env, ["A=2"]);
  assert.equal(spec[""]!.Disabled, true);
  const noPool = await call(h.app, "POST", "/1.0/docker/nodecontainers/bs", {
    token: w.admin,
    form: { pool: "nope", "config.env.0": "A=3" },
  });
  assert.equal(noPool.status, 404);
  const pool = await call(h.app, "POST", "/1.0/docker/nodecontainers/bs", {
    token: w.admin,
    form: { pool: "default", "config.env.0": "A=3" },
  });
  assert.equal(pool.status, 200, pool.body);
  const del = await call(h.app, "DELETE", "/1.0/docker/nodecontainers/bs?pool=default&kill=false", {
    token: w.admin,
  });
  assert.equal(del.status, 200, del.body);
  assert.deepEqual(
    Object.keys(
      (await call(h.app, "GET", "/1.0/docker/nodecontainers/bs", { token: w.admin })).json() as object,
    ),
    [""],
  );
  assert.equal(
    (await call(h.app, "DELETE", "/1.0/docker/nodecontainers/bs", { token: w.admin })).status,
    200,
  );
  // tsuru's client decodes the body of node-container-list even when there is nothing: [] not 204.
  const empty = await call(h.app, "GET", "/1.0/docker/nodecontainers", { token: w.admin });
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.json(), []);
  assert.equal((await call(h.app, "GET", "/1.0/docker/nodecontainers/bs", { token: w.admin })).status, 404);
});

test("bad forms are 400s naming the field; team members may not touch node containers", async () => {
  const bad = async (form: Record<string, string>, re: RegExp) => {
    const r = await call(h.app, "POST", "/1.0/docker/nodecontainers", {
      token: w.admin,
      form: { name: "x", ...form },
    });
    assert.equal(r.status, 400, `${JSON.stringify(form)}: ${r.body}`);
    assert.match(r.body, re);
  };
  await bad({}, /needs an image/);
  await bad({ "config.image": "img", "hostconfig.devices.0": "/dev/sda" }, /hostconfig.devices/);
  await bad({ "config.image": "img", "hostconfig.binds.0": "etc:/etc" }, /Bind/);
  await bad({ "config.image": "img", disabled: "maybe" }, /true or false/);
  await bad({ name: "bad name!", "config.image": "img" }, /name/);
  const member = await call(h.app, "POST", "/1.0/docker/nodecontainers", {
    token: w.alice,
    form: { name: "mine", "config.image": "img" },
  });
  assert.equal(member.status, 403);
  assert.deepEqual((await call(h.app, "GET", "/1.0/docker/nodecontainers", { token: w.alice })).json(), []);
  const up = await call(h.app, "POST", "/1.0/docker/nodecontainers/x/upgrade", {
    token: w.admin,
    form: { pool: "" },
  });
  assert.equal(up.status, 404);
});
