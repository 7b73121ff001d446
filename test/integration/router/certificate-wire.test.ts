// `wharf certificate set/unset/list` on the wire, against a stub playing tsuru's server: the requests
// tsuru's client sends (reference §4.8) and the answers it understands — certificate-list returns a
// map of router name → cname → PEM ("" for a cname without a certificate).
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatTime } from "../../../src/cli/output.js";
import { buildCli, runCli, startStub, type Stub } from "../cli/helpers.js";
import { makeCert } from "./cert-helpers.js";

let stub: Stub;
let dir: string;
let www: { cert: string; key: string };
let api: { cert: string; key: string };
const env = () => ({ WHARF_TARGET: stub.url, WHARF_TOKEN: "tk" });

before(async () => {
  buildCli();
  stub = await startStub();
  dir = mkdtempSync(join(tmpdir(), "wharf-cert-wire-"));
  www = makeCert(dir, "www.example.com", "/C=BR/ST=RJ/L=Rio/O=Wharf/CN=www.example.com");
  api = makeCert(dir, "api.example.com");
});
after(() => stub.close());
beforeEach(() => stub.reset());

function one() {
  assert.equal(stub.requests.length, 1, stub.requests.map((r) => `${r.method} ${r.url}`).join(", "));
  return stub.requests[0]!;
}

test("certificate set sends PUT /1.2/apps/APP/certificate with certificate, cname and key as a form", async () => {
  writeFileSync(join(dir, "c.pem"), www.cert);
  writeFileSync(join(dir, "k.pem"), www.key);
  stub.on("PUT", "/1.2/apps/web/certificate", { status: 200 });
  const r = await runCli(
    ["certificate", "set", "-a", "web", "-c", "www.example.com", join(dir, "c.pem"), join(dir, "k.pem")],
    { env: env() },
  );
  assert.equal(r.code, 0, r.stderr);
  const req = one();
  assert.equal(req.headers["content-type"], "application/x-www-form-urlencoded");
  const form = new URLSearchParams(req.body);
  assert.deepEqual([...form.keys()], ["certificate", "cname", "key"], "Go's url.Values order");
  assert.equal(form.get("certificate"), www.cert);
  assert.equal(form.get("cname"), "www.example.com");
  assert.equal(form.get("key"), www.key);
  assert.equal(r.stdout, "Successfully created the certificated.\n");
});

test("certificate unset sends DELETE with the cname in the query", async () => {
  stub.on("DELETE", "/1.2/apps/web/certificate?cname=www.example.com", { status: 200 });
  const r = await runCli(["certificate", "unset", "-a", "web", "-c", "www.example.com"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().body, "");
  assert.equal(r.stdout, "Certificate removed.\n");
});

test("certificate list reads tsuru's router → cname → PEM map: sorted rows, '-' for a cname without one", async () => {
  stub.on("GET", "/1.2/apps/web/certificate", {
    body: {
      wharf: { "www.example.com": www.cert, "other.example.com": "" },
      alpha: { "api.example.com": api.cert },
    },
  });
  const r = await runCli(["certificate", "list", "-a", "web"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(one().url, "/1.2/apps/web/certificate");
  const cells = r.stdout
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  assert.deepEqual(cells[0], ["Router", "CName", "Expires", "Issuer", "Subject"]);
  const expires = (pem: string) => formatTime(new Date(new X509Certificate(pem).validTo).toISOString());
  // Multi-line Issuer/Subject cells (tsuru's C=; ST=; / L=; O=; / CN= layout) take three table lines.
  assert.deepEqual(cells.slice(1), [
    ["alpha", "api.example.com", expires(api.cert), "C=; ST=;", "C=; ST=;"],
    ["", "", "", "L=; O=;", "L=; O=;"],
    ["", "", "", "CN=api.example.com", "CN=api.example.com"],
    ["wharf", "other.example.com", "-", "-", "-"],
    ["wharf", "www.example.com", expires(www.cert), "C=BR; ST=RJ;", "C=BR; ST=RJ;"],
    ["", "", "", "L=Rio; O=Wharf;", "L=Rio; O=Wharf;"],
    ["", "", "", "CN=www.example.com", "CN=www.example.com"],
  ]);
  assert.ok(!r.stdout.includes("PRIVATE KEY"));
});

test("certificate list -r prints each router's cnames with their PEM, 'No certificate.' when none", async () => {
  stub.on("GET", "/1.2/apps/web/certificate", {
    body: { wharf: { "www.example.com": www.cert, "other.example.com": "" } },
  });
  const r = await runCli(["certificate", "list", "-a", "web", "-r"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `wharf:\nother.example.com:\nNo certificate.\nwww.example.com:\n${www.cert}`);
});

test("certificate list --json prints the server's map as it came", async () => {
  const body = { wharf: { "www.example.com": "" } };
  stub.on("GET", "/1.2/apps/web/certificate", { body });
  const r = await runCli(["certificate", "list", "-a", "web", "--json"], { env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), body);
});
