import { test } from "node:test";
import assert from "node:assert/strict";
import { RouteTable } from "../../../src/router/table.js";
import type { Backend } from "../../../src/router/types.js";

const b = (id: string, port = 1000): Backend => ({ id, host: "127.0.0.1", port });

function table() {
  const retained: Set<Backend>[] = [];
  const t = new RouteTable<Backend>("apps.example.com", {
    materialize: (_app, x) => x,
    retain: (live) => retained.push(new Set(live)),
  });
  return { t, retained };
}

test("resolves <app>.<domain> ignoring case, port and a trailing dot", () => {
  const { t } = table();
  t.applySnapshot({ apps: [{ app: "web", backends: [b("u1")] }] });
  assert.equal(t.resolve("web.apps.example.com")?.route.app, "web");
  assert.equal(t.resolve("WEB.Apps.Example.com:8080")?.route.app, "web");
  assert.equal(t.resolve("web.apps.example.com.")?.route.app, "web");
  assert.equal(t.resolve("other.apps.example.com"), undefined);
  assert.equal(t.resolve("apps.example.com"), undefined);
  assert.equal(t.resolve(undefined), undefined);
});

test("resolves cnames, normalised to lower case without trailing dot", () => {
  const { t } = table();
  t.applySnapshot({ apps: [{ app: "web", backends: [], cnames: ["WWW.Shop.Example."] }] });
  assert.equal(t.resolve("www.shop.example")?.route.app, "web");
  assert.equal(t.resolve("www.shop.example:443")?.route.app, "web");
});

test("incremental updates apply together in one swap and are idempotent", () => {
  const { t } = table();
  t.applySnapshot({ apps: [{ app: "web", backends: [b("u1")] }] });
  const v = t.version;
  const ups = [
    { op: "add-backend" as const, app: "web", backend: b("u2", 2000) },
    { op: "set-cnames" as const, app: "web", cnames: ["a.example"] },
    { op: "set-settings" as const, app: "web", healthcheckPath: "/hc", httpsRedirect: true },
  ];
  t.applyUpdates(ups);
  t.applyUpdates(ups); // replay (at-least-once feed): same result
  assert.equal(t.version, v + 2);
  const e = t.resolve("a.example")!;
  assert.deepEqual(
    e.backends.map((x) => x.id),
    ["u1", "u2"],
  );
  assert.equal(e.route.healthcheckPath, "/hc");
  assert.equal(e.route.httpsRedirect, true);
  t.applyUpdates([{ op: "set-settings", app: "web", healthcheckPath: null }]);
  assert.equal(t.app("web")!.route.healthcheckPath, undefined);
});

test("removing a backend or an app drops it and its cnames, and reports the live set", () => {
  const { t, retained } = table();
  t.applySnapshot({ apps: [{ app: "web", backends: [b("u1"), b("u2")], cnames: ["x.example"] }] });
  t.applyUpdates([{ op: "remove-backend", app: "web", id: "u1" }]);
  assert.deepEqual(
    t.app("web")!.backends.map((x) => x.id),
    ["u2"],
  );
  assert.deepEqual(
    [...retained.at(-1)!].map((x) => x.id),
    ["u2"],
  );
  t.applyUpdates([{ op: "remove-app", app: "web" }]);
  assert.equal(t.resolve("x.example"), undefined);
  assert.equal(retained.at(-1)!.size, 0);
});

test("updates for an unknown app create it, so feed order does not matter", () => {
  const { t } = table();
  t.applyUpdates([{ op: "add-backend", app: "late", backend: b("u9") }]);
  assert.equal(t.resolve("late.apps.example.com")?.backends.length, 1);
});

test("a snapshot replaces everything and round-trips", () => {
  const { t } = table();
  t.applySnapshot({ apps: [{ app: "a", backends: [b("1")] }] });
  t.applySnapshot({ apps: [{ app: "b", backends: [b("2")], cnames: ["b.example"] }] });
  assert.equal(t.app("a"), undefined);
  assert.deepEqual(t.snapshot(), { apps: [{ app: "b", backends: [b("2")], cnames: ["b.example"] }] });
});
