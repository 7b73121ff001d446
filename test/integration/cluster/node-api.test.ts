// Nodes through `wharf server` and the `wharf` CLI on the real 3-node cluster: adding a
// node connects over mutual TLS and keeps its specs as labels; list/info show health; a
// node whose dockerd dies turns unhealthy within the monitor's window (and back), with
// node.health events; bad input gets a 4xx that says what to fix and leaves nothing behind.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { down, restartNode, stopNode, up, type DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { Pki } from "../../../src/cluster/tls/pki.js";
import { testLayout } from "../../support/dev-cluster.js";
import { buildCli, runCli } from "../cli/helpers.js";
import { spawnServer, stopServer } from "../../support/server-process.js";

const l = testLayout();
const dir = mkdtempSync(join(tmpdir(), "wharf-node-api-"));
const home = join(dir, "home");
let info: DevClusterInfo;
let server: ChildProcess | undefined;
let url = "";
let token = "";
let foreignTls: TlsServer | undefined;
let foreignPort = 0;

const nodeUrl = (i: number) => `https://${info.nodes[i]!.address}:2376`;

async function ok(args: string[], input?: string) {
  const r = await runCli(args, { home, input });
  assert.equal(r.code, 0, `wharf ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r;
}

async function api(method: string, path: string, form?: Record<string, string>) {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `bearer ${token}`,
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
  });
  return { status: res.status, body: await res.text() };
}

interface NodeJson {
  Address: string;
  Pool: string;
  Status: string;
  Metadata: Record<string, string>;
  Labels: Record<string, string>;
  Cpus: number;
  Health: { State: string; LastError: string; LastSuccess: string };
}

async function listNodes(): Promise<NodeJson[]> {
  return JSON.parse((await ok(["node", "list", "--json"])).stdout) as NodeJson[];
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  buildCli();
  info = await up(3, l);
  mkdirSync(home);
  await ok(["server", "init", "-e", "admin@example.com", "--data-dir", join(dir, "data")], "admin-pass-1\n");
  const started = await spawnServer({
    dataDir: join(dir, "data"),
    home: dir,
    env: {
      WHARF_LOG_LEVEL: "info",
      WHARF_NODE_TLS_DIR: info.tls.dir,
      WHARF_NODE_MONITOR_INTERVAL_MS: "300",
      WHARF_NODE_MONITOR_TIMEOUT_MS: "500",
      WHARF_NODE_FAILURE_THRESHOLD: "3",
    },
  });
  server = started.child;
  url = started.url;
  await ok(["target", "add", "t", url, "--set"]);
  await ok(["login", "admin@example.com"], "admin-pass-1\n");
  token = readFileSync(join(home, "token"), "utf8").trim();
  await ok(["pool", "add", "alpha", "--default"]);
  await ok(["pool", "add", "beta"]);

  // A TLS endpoint whose certificate comes from another CA: Wharf must refuse it.
  const other = new Pki(join(dir, "other-ca"));
  await other.ensureCa("not Wharf's CA");
  const cert = await other.issueServer("foreign", { ips: ["127.0.0.1"] });
  foreignTls = createTlsServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, (s) =>
    s.end(),
  );
  await new Promise<void>((r) => foreignTls!.listen(0, "127.0.0.1", r));
  foreignPort = (foreignTls.address() as { port: number }).port;
});

after(async () => {
  foreignTls?.close();
  await stopServer(server);
  await down(l);
  rmSync(dir, { recursive: true, force: true });
});

describe("nodes through the API and the CLI", () => {
  test("node add connects over mutual TLS and keeps the engine's specs as constraint labels", async () => {
    const r = await ok(["node", "add", `address=${nodeUrl(0)}`, "pool=alpha", "zone=a", "--register"]);
    assert.match(r.stdout, /registered in pool alpha/);
    await ok(["node", "add", `address=${nodeUrl(1)}`, "pool=alpha", "zone=b", "--register"]);
    await ok(["node", "add", `address=${nodeUrl(2)}`, "pool=beta", "zone=a", "--register"]);
    const nodes = await listNodes();
    assert.deepEqual(nodes.map((n) => n.Address).sort(), [nodeUrl(0), nodeUrl(1), nodeUrl(2)].sort());
    const n1 = nodes.find((n) => n.Address === nodeUrl(0))!;
    assert.equal(n1.Pool, "alpha");
    assert.equal(n1.Metadata.zone, "a");
    assert.equal(n1.Labels.storagedriver, "overlay2");
    assert.equal(n1.Labels.ostype, "linux");
    assert.ok(n1.Labels.kernelversion && n1.Labels.operatingsystem);
    assert.equal(n1.Labels["wharf.dev.node"], "n1");
    assert.ok(n1.Cpus >= 1);
  });

  test("node list and info show every node healthy with its last success once the monitor has seen it", async () => {
    await waitFor("all nodes healthy", 10_000, async () =>
      (await listNodes()).every((n) => n.Health.State === "healthy") ? true : undefined,
    );
    const text = (await ok(["node", "list"])).stdout;
    assert.match(text, /alpha/);
    assert.match(text, /zone=a/);
    const infoOut = JSON.parse((await ok(["node", "info", nodeUrl(1), "--json"])).stdout) as {
      node: NodeJson;
    };
    assert.equal(infoOut.node.Health.State, "healthy");
    assert.ok(infoOut.node.Health.LastSuccess);
    const human = (await ok(["node", "info", nodeUrl(1)])).stdout;
    assert.match(human, /Health: healthy/);
    assert.match(human, /storagedriver/);
  });

  test("a node whose dockerd dies turns unhealthy within seconds, with an event, and healthy when it returns", async () => {
    const killedAt = Date.now();
    await stopNode(3, l);
    const dead = await waitFor("n3 unhealthy", 15_000, async () =>
      (await listNodes()).find((n) => n.Address === nodeUrl(2) && n.Health.State === "unhealthy"),
    );
    const detectMs = Date.now() - killedAt;
    assert.ok(dead.Health.LastError, "the last error is shown");
    const others = (await listNodes()).filter((n) => n.Address !== nodeUrl(2));
    assert.ok(
      others.every((n) => n.Health.State === "healthy"),
      "other nodes stay healthy",
    );
    console.log(`# dead node reported unhealthy through the API after ${detectMs} ms`);

    await restartNode(3, l);
    await waitFor("n3 healthy again", 20_000, async () =>
      (await listNodes()).find((n) => n.Address === nodeUrl(2) && n.Health.State === "healthy"),
    );
    const events = JSON.parse((await ok(["event", "list", "--json"])).stdout) as Array<{
      Kind: { Name: string };
      Target: { Value: string };
      StartCustomData?: unknown;
      Error: string;
    }>;
    const health = events.filter((e) => e.Kind.Name === "node.health" && e.Target.Value === nodeUrl(2));
    assert.ok(health.length >= 2, `expected health events for n3, got ${JSON.stringify(health)}`);
    assert.ok(
      health.some((e) => e.Error),
      "the move to unhealthy is recorded with its error",
    );
  });

  test("node update changes metadata and disables a node; list shows it", async () => {
    await ok(["node", "update", nodeUrl(1), "zone=c", "rack=r1", "--disable"]);
    let n2 = (await listNodes()).find((n) => n.Address === nodeUrl(1))!;
    assert.equal(n2.Metadata.zone, "c");
    assert.equal(n2.Metadata.rack, "r1");
    assert.equal(n2.Status, "disabled");
    await ok(["node", "update", nodeUrl(1), "rack=", "--enable"]);
    n2 = (await listNodes()).find((n) => n.Address === nodeUrl(1))!;
    assert.equal(n2.Metadata.rack, undefined);
    assert.notEqual(n2.Status, "disabled");
  });

  test("a node whose certificate is not from Wharf's CA is refused with a 400 that says so, and not stored", async () => {
    const r = await api("POST", "/1.2/node", {
      "Metadata.address": `https://127.0.0.1:${foreignPort}`,
      "Metadata.pool": "alpha",
      Register: "true",
    });
    assert.equal(r.status, 400, r.body);
    assert.match(r.body, /CA|certificate/i);
    assert.ok(!(await listNodes()).some((n) => n.Address.includes(String(foreignPort))));
  });

  test("bad node input gets a 4xx naming the mistake and leaves nothing behind", async () => {
    const before = (await listNodes()).length;
    const cases: Array<[Record<string, string>, number, RegExp]> = [
      [{ "Metadata.address": nodeUrl(0), Register: "true" }, 400, /pool is required/],
      [{ "Metadata.address": nodeUrl(0), "Metadata.pool": "nope", Register: "true" }, 400, /does not exist/],
      [{ "Metadata.pool": "alpha", Register: "true" }, 400, /register a running engine/],
      [{ "Metadata.address": "ftp://x:1", "Metadata.pool": "alpha", Register: "true" }, 400, /./],
      [
        { "Metadata.address": nodeUrl(0), "Metadata.pool": "alpha", Register: "true" },
        409,
        /already registered/,
      ],
      [
        { "Metadata.address": `https://${info.hostAddress}:1`, "Metadata.pool": "alpha", Register: "true" },
        400,
        /Cannot add node/,
      ],
      [{ "Metadata.address": nodeUrl(0), "Metadata.pool": "alpha", "Metadata.bad key": "x" }, 400, /./],
    ];
    for (const [form, status, msg] of cases) {
      const r = await api("POST", "/1.2/node", form);
      assert.equal(r.status, status, `${JSON.stringify(form)} -> ${r.status} ${r.body}`);
      assert.match(r.body, msg);
    }
    assert.equal((await api("GET", `/1.2/node/https://10.0.0.1:2376`)).status, 404);
    assert.equal((await api("DELETE", `/1.2/node/https://10.0.0.1:2376`)).status, 404);
    assert.equal((await listNodes()).length, before);
  });

  test("tsuru's node-add with --cacert/--clientcert/--clientkey reaches a node from a server with no cluster certificate", async () => {
    // A second server without WHARF_NODE_TLS_DIR: only the certificates in the request can reach
    // the node. The form is the stock client's, every key present.
    const data2 = join(dir, "data-own-tls");
    const second = await spawnServer({
      dataDir: data2,
      home: dir,
      env: { WHARF_ADMIN_EMAIL: "root@example.com", WHARF_ADMIN_PASSWORD: "root-pass-12" },
    });
    try {
      const login = await fetch(`${second.url}/1.0/users/root@example.com/tokens`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "password=root-pass-12",
      });
      const t2 = ((await login.json()) as { token: string }).token;
      const call2 = async (method: string, path: string, form?: Record<string, string>) => {
        const res = await fetch(`${second.url}${path}`, {
          method,
          headers: {
            authorization: `bearer ${t2}`,
            ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
          },
          ...(form ? { body: new URLSearchParams(form).toString() } : {}),
        });
        return { status: res.status, body: await res.text() };
      };
      const pool = await call2("POST", "/1.0/pools", {
        default: "true",
        force: "false",
        name: "own",
        provisioner: "",
        public: "false",
      });
      assert.equal(pool.status, 201, pool.body);
      const nodeForm = (pem: { ca: string; cert: string; key: string }) => ({
        Address: "",
        CaCert: pem.ca,
        ClientCert: pem.cert,
        ClientKey: pem.key,
        IaaSID: "",
        "Metadata.address": nodeUrl(0),
        "Metadata.pool": "own",
        Pool: "",
        Register: "true",
        WaitTO: "",
      });
      const none = await call2("POST", "/1.2/node", nodeForm({ ca: "", cert: "", key: "" }));
      assert.equal(none.status, 400, none.body);
      assert.match(none.body, /--cacert, --clientcert and --clientkey/);
      const pem = {
        ca: readFileSync(info.tls.ca, "utf8"),
        cert: readFileSync(info.tls.clientCert, "utf8"),
        key: readFileSync(info.tls.clientKey, "utf8"),
      };
      const bad = await call2("POST", "/1.2/node", nodeForm({ ...pem, key: "not a key" }));
      assert.equal(bad.status, 400);
      assert.match(bad.body, /ClientKey is not a PEM private key/);
      const added = await call2("POST", "/1.2/node", nodeForm(pem));
      assert.equal(added.status, 201, added.body);
      const lines = added.body
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { Message: string; Error?: string });
      assert.ok(
        lines.every((l) => !l.Error),
        added.body,
      );
      assert.match(lines.map((l) => l.Message).join(""), /registered in pool own/);
      const nodeInfo = await call2("GET", `/1.6/node/${nodeUrl(0)}`);
      assert.equal(nodeInfo.status, 200, nodeInfo.body);
      const status = (JSON.parse(nodeInfo.body) as { status: { LastSuccess: string; LastUpdate: string } })
        .status;
      for (const time of [status.LastSuccess, status.LastUpdate]) assert.match(time, /^\d{4}-\d\d-\d\dT/);
      // The node's own material survives a restart of that server (sealed in its store).
      await stopServer(second.child);
      const again = await spawnServer({ dataDir: data2, home: dir });
      try {
        const r = await fetch(`${again.url}/1.2/node`, { headers: { authorization: `bearer ${t2}` } });
        assert.equal(r.status, 200);
        const listed = ((await r.json()) as { nodes: Array<{ Address: string }> }).nodes;
        assert.deepEqual(
          listed.map((n) => n.Address),
          [nodeUrl(0)],
        );
        const seen = await waitFor("the node reached with its own certificates", 15_000, async () => {
          const res = await fetch(`${again.url}/1.6/node/${nodeUrl(0)}`, {
            headers: { authorization: `bearer ${t2}` },
          });
          const body = (await res.json()) as { status: { LastSuccess: string } };
          return body.status.LastSuccess !== "0001-01-01T00:00:00Z" ? body.status.LastSuccess : undefined;
        });
        assert.match(seen, /^\d{4}-/);
      } finally {
        await stopServer(again.child);
      }
    } finally {
      await stopServer(second.child);
    }
  });

  test("node remove unregisters the node and stops watching it", async () => {
    await ok(["node", "remove", nodeUrl(2), "-y", "--no-rebalance"]);
    assert.ok(!(await listNodes()).some((n) => n.Address === nodeUrl(2)));
    const r = await runCli(["node", "info", nodeUrl(2)], { home });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /not found|no node/i);
  });
});
