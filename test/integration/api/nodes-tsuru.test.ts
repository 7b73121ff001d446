// What tsuru's client reads from the node routes, on a server whose nodes are down: node-info's
// times are RFC 3339 (the zero time when never set, never ""), node-add takes the stock client's
// form and names what it may send, and node-remove answers a failed drain as its status (the
// client reads nothing else) while Wharf's CLI, asking for the stream, reads it as it goes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Pki } from "../../../src/cluster/tls/pki.js";
import { ServiceUnavailableError } from "../../../src/domain/errors.js";
import { call, deadPort, harness, world, type Harness, type World } from "./helpers.js";

let h: Harness;
let w: World;
let node = "";
before(async () => {
  h = await harness({}, { cluster: true });
  w = await world(h.app);
  // Registered as a past node add would have; nothing answers at its address.
  node = `http://127.0.0.1:${await deadPort()}`;
  await h.store.createNode({
    address: node,
    pool: "default",
    metadata: { zone: "a" },
    engineId: "E1",
    engineName: "n1",
    labels: {},
    cpus: 2,
    memory: 2 ** 31,
    disabled: false,
  });
});
after(async () => h.close());

const ZERO = "0001-01-01T00:00:00Z";
const TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)$/;

test("node-info sends the zero time for times never set, and RFC 3339 for every time", async () => {
  const r = await call(h.app, "GET", `/1.6/node/${node}`, { token: w.admin });
  assert.equal(r.status, 200, r.body);
  const body = r.json() as {
    node: { Address: string; Pool: string; Metadata: Record<string, string> };
    status: { LastSuccess: string; LastUpdate: string; Checks: Array<{ Time: string }> };
    units: unknown[];
  };
  assert.equal(body.node.Address, node);
  assert.equal(body.status.LastSuccess, ZERO);
  assert.match(body.status.LastUpdate, TIME);
  for (const c of body.status.Checks) assert.match(c.Time, TIME);
  assert.ok(Array.isArray(body.units));
});

test("node-add takes the stock client's form; without certificates here it says which flags to give", async () => {
  const form = (f: Record<string, string>) => ({
    Address: "",
    CaCert: "",
    ClientCert: "",
    ClientKey: "",
    IaaSID: "",
    "Metadata.address": "https://127.0.0.1:2376",
    "Metadata.pool": "default",
    Pool: "",
    Register: "true",
    WaitTO: "",
    ...f,
  });
  const post = (f: Record<string, string>) =>
    call(h.app, "POST", "/1.2/node", { token: w.admin, form: form(f) });
  const noTls = await post({});
  assert.equal(noTls.status, 400);
  assert.match(noTls.body, /--cacert, --clientcert and --clientkey/);
  assert.doesNotMatch(noTls.body, /--insecure/, "names only what the stock client can send");
  const pki = new Pki(mkdtempSync(join(tmpdir(), "wharf-node-pki-")));
  await pki.ensureCa("test CA");
  const client = await pki.issueClient("someone");
  const ca = readFileSync(pki.caCert, "utf8");
  const cert = readFileSync(client.cert, "utf8");
  const key = readFileSync(client.key, "utf8");
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ CaCert: "garbage" }, /CaCert is not a PEM certificate/],
    [{ CaCert: cert, ClientCert: cert, ClientKey: key }, /CaCert is not a CA certificate/],
    [{ CaCert: ca, ClientCert: cert }, /ClientCert and ClientKey go together/],
    [{ CaCert: ca, ClientCert: cert, ClientKey: "nope" }, /ClientKey is not a PEM private key/],
    [{ CaCert: ca, ClientCert: ca, ClientKey: key }, /ClientKey does not belong to ClientCert/],
    [{ CaCert: ca }, /needs ClientCert \(--clientcert\), ClientKey \(--clientkey\) too/],
    [
      { CaCert: ca, ClientCert: cert, ClientKey: key, "Metadata.address": "http://127.0.0.1:2375" },
      /An http:\/\/ node takes no certificates/,
    ],
  ];
  for (const [f, re] of cases) {
    const r = await post(f);
    assert.equal(r.status, 400, `${JSON.stringify(Object.keys(f))}: ${r.body}`);
    assert.match(r.body, re);
  }
  // Complete and well-formed: it gets as far as dialling the engine, which is down here.
  const down = await post({
    CaCert: ca,
    ClientCert: cert,
    ClientKey: key,
    "Metadata.address": `https://127.0.0.1:${await deadPort()}`,
  });
  assert.equal(down.status, 400, down.body);
  assert.match(down.body, /Cannot add node/);
  const nodes = (await call(h.app, "GET", "/1.2/node", { token: w.admin })).json() as {
    nodes: Array<{ Address: string }>;
  };
  assert.deepEqual(
    nodes.nodes.map((n) => n.Address),
    [node],
    "nothing stored",
  );
});

test("node-remove after a failed drain fails with the drain's status; Wharf's CLI reads the stream", async () => {
  const runtime = h.app.ctx.runtime!;
  const real = { checkDrain: runtime.checkDrain, drainNode: runtime.drainNode };
  // The node holds one unit; moving it fails (as it does when no other node takes it in time).
  runtime.checkDrain = async () => 1;
  runtime.drainNode = async (_address, out) => {
    out("moving 1 unit(s)\n");
    throw new ServiceUnavailableError(
      `1 unit(s) are still on node ${node} after 300 s: run node remove again to finish.`,
    );
  };
  await h.store.createUnit({
    id: "u-drain",
    app: "blue-app",
    process: "web",
    version: 1,
    node,
    containerId: "c1",
    host: "127.0.0.1",
    port: 1,
    status: "started",
    routable: true,
    restartGen: 0,
    error: "",
  });
  try {
    // tsuru's client: DELETE /1.2/node/<address raw>?no-rebalance=false, reading only the status.
    const stock = await call(h.app, "DELETE", `/1.2/node/${node}?no-rebalance=false`, { token: w.admin });
    assert.equal(stock.status, 503, stock.body);
    assert.match(String(stock.headers["content-type"]), /^text\/plain/);
    assert.match(stock.body, /still on node .* run node remove again/);
    // Wharf's CLI asks for the stream: the same failure arrives as its last line.
    const cli = await call(h.app, "DELETE", `/1.2/node/${node}?no-rebalance=false`, {
      token: w.admin,
      headers: { accept: "application/x-json-stream" },
    });
    assert.equal(cli.status, 200);
    const lines = cli.body
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { Message: string; Error?: string });
    assert.match(lines.at(-1)!.Error ?? "", /still on node/);
    assert.equal((await call(h.app, "GET", `/1.6/node/${node}`, { token: w.admin })).status, 200, "kept");
  } finally {
    Object.assign(runtime, real);
    await h.store.deleteUnit("u-drain");
  }
  const removed = await call(h.app, "DELETE", `/1.2/node/${node}?no-rebalance=true`, { token: w.admin });
  assert.equal(removed.status, 200, removed.body);
  assert.equal((await call(h.app, "GET", `/1.6/node/${node}`, { token: w.admin })).status, 404);
});
