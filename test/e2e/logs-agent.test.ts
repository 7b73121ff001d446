// App logs through Wharf's node agent on the 3-node cluster with a real `wharf server`:
// `node container add wharf-agent` runs the agent on every node, each reports with its own
// node-scoped token (node info shows the report; the token opens nothing else), and the
// agents alone forward unit output (the server's own collector is off here), so
// `wharf app log -f` shows it with process and unit prefixes and keeps streaming through an
// app restart and a reschedule (a unit's container removed behind Wharf's back). Upgrade
// recreates the agents; removal takes them off the nodes and revokes their tokens.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "undici";
import { hostAddress } from "../../src/cluster/dev/layout.js";
import { hostEngine, nodeClient, testLayout } from "../support/dev-cluster.js";
import { ensureHostAgentImage } from "../support/agent-image.js";
import { setupWharf, streamDeploy, tarGz, type WharfE2E } from "../support/wharf-e2e.js";
import { CLI } from "../integration/cli/helpers.js";

const APP = "chatty";
let w: WharfE2E;
let follower: ChildProcess | undefined;
let followed = "";

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface UnitInfo {
  ID: string;
  Name: string;
  ProcessName: string;
  Status: string;
  Node: string;
}

async function units(): Promise<UnitInfo[]> {
  const r = await w.api("GET", `/apps/${APP}`);
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { units: UnitInfo[] }).units;
}

async function agentContainers() {
  const out = [];
  for (let i = 0; i < w.info.nodes.length; i++) {
    const cs = await nodeClient(w.info, i).listContainers({
      all: true,
      filters: JSON.stringify({ label: ["wharf.nodecontainer=wharf-agent"] }),
    });
    for (const c of cs) out.push({ node: i, id: c.Id, state: c.State });
  }
  return out;
}

/** Lines `wharf app log -f` printed for a unit, with the prefix tsuru-client prints. */
function linesOf(unit: string): string[] {
  return followed.split("\n").filter((l) => l.includes(`[web][${unit}]: tick`));
}

before(async () => {
  w = await setupWharf({
    prefix: "logs",
    env: {
      // Listening on the cluster bridge lets the agents reach the API from the nodes.
      WHARF_HOST: hostAddress(testLayout()),
      WHARF_AGENT_INTERVAL_MS: "1000",
      WHARF_LOG_COLLECTOR: "false",
      WHARF_HEAL_INTERVAL_MS: "1000",
    },
  });
  // Dev cluster engines have their sockets under the run dir, not /var/run/docker.sock.
  for (const n of w.info.nodes)
    await w.ok(["node", "update", `https://${n.address}:2376`, `docker-socket=${n.socket}`]);
  // The agent image, built on the host's engine (its Node.js layer is the node platform's,
  // cached across runs) and pushed to this cluster's registry: the server finds it there by
  // its tag, as a second server or one restarted on fresh nodes would, instead of building.
  await ensureHostAgentImage(hostEngine(), w.info.registry);
});

after(async () => {
  follower?.kill("SIGKILL");
  await w?.close();
});

describe("node agent and app logs", () => {
  test("node container add runs the agent on every node, each reporting with its own node-scoped token", async () => {
    const added = await w.ok(["node", "container", "add", "wharf-agent"]);
    assert.match(added.stdout, /added/);
    const running = await until("an agent running on each node", async () => {
      const cs = await agentContainers();
      return cs.length === 3 && cs.every((c) => c.state === "running") ? cs : undefined;
    });
    assert.deepEqual(running.map((c) => c.node).sort(), [0, 1, 2]);
    for (const n of w.info.nodes) {
      const info = await until(`a report from the agent of ${n.name}`, async () => {
        const r = await w.ok(["node", "info", `https://${n.address}:2376`]);
        return /last report \d{4}-/.test(r.stdout) ? r.stdout : undefined;
      });
      assert.match(info, /checks: docker: ok/);
    }
    const list = await w.ok(["node", "container", "list"]);
    assert.match(list.stdout, /wharf-agent/);
    // The token the server gave node 1's agent reports for that node only.
    const env = (
      await nodeClient(w.info, 0)
        .getContainer(running.find((c) => c.node === 0)!.id)
        .inspect()
    ).Config.Env;
    const token = env.find((e) => e.startsWith("WHARF_AGENT_TOKEN="))!.split("=")[1]!;
    const as = (method: "GET" | "POST", path: string, body?: string) =>
      request(`${w.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `bearer ${token}`,
          ...(body ? { "content-type": "application/json" } : {}),
        },
        ...(body ? { body } : {}),
      });
    for (const path of ["/1.0/apps", "/1.2/node", "/1.0/users/info", "/1.0/docker/nodecontainers"]) {
      const r = await as("GET", path);
      assert.equal(r.statusCode, 403, path);
      assert.match(await r.body.text(), /node agent/);
    }
    const report = await as("POST", "/node/status", JSON.stringify({ Units: [], Checks: [] }));
    assert.equal(report.statusCode, 200);
    await report.body.dump();
  });

  test("app log -f shows every unit's output with its prefixes, through a restart and a reschedule", async () => {
    await w.ok(["app", "create", APP, "node", "-t", "devs"]);
    const archive = await tarGz([
      {
        name: "server.js",
        content: `let n = 0;
setInterval(() => console.log("tick " + n++ + " " + process.env.WHARF_UNIT), 300);
require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT);
process.on("SIGTERM", () => process.exit(0));
`,
      },
      { name: "Procfile", content: "web: node server.js\n" },
      { name: "tsuru.yaml", content: "healthcheck:\n  path: /\n  status: 200\n" },
    ]);
    const r = await streamDeploy(w, APP, archive);
    assert.equal(r.status, 200, r.text);
    const [first] = await units();
    assert.ok(first);

    follower = spawn(process.execPath, [CLI, "app", "log", "-a", APP, "-f", "-l", "5"], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: w.home,
        WHARF_HOME: w.home,
        WHARF_TARGET: w.apiUrl,
        WHARF_TOKEN: w.token,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    follower.stdout!.on("data", (d) => (followed += String(d)));
    let errors = "";
    follower.stderr!.on("data", (d) => (errors += String(d)));
    await until("the first unit's ticks", async () => (linesOf(first.Name).length >= 3 ? true : undefined));
    assert.match(linesOf(first.Name)[0]!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \[web\]\[/);

    await w.ok(["app", "restart", "-a", APP]);
    const [second] = await until("a new unit after the restart", async () => {
      const us = await units();
      return us.length === 1 && us[0]!.Name !== first.Name && us[0]!.Status === "started" ? us : undefined;
    });
    await until("the restarted unit's ticks in the same follow", async () =>
      linesOf(second!.Name).length >= 3 ? true : undefined,
    );

    const index = w.info.nodes.findIndex((n) => second!.Node === `https://${n.address}:2376`);
    await nodeClient(w.info, index).getContainer(second!.ID).remove({ force: true });
    const [third] = await until("the healer's replacement", async () => {
      const us = await units();
      return us.length === 1 && us[0]!.Name !== second!.Name && us[0]!.Status === "started" ? us : undefined;
    });
    await until("the replacement's ticks in the same follow", async () =>
      linesOf(third!.Name).length >= 3 ? true : undefined,
    );
    assert.equal(follower.exitCode, null, `the follow is still running (stderr: ${errors})`);
    // Each tick appears once: the agents resume where they were, never re-sending a line.
    for (const u of [first.Name, second!.Name, third!.Name]) {
      const ticks = linesOf(u).map((l) => /tick (\d+) /.exec(l)![1]);
      assert.equal(new Set(ticks).size, ticks.length, `duplicate lines for ${u}`);
    }
    follower.kill("SIGTERM");

    const recent = await w.ok(["app", "log", "-a", APP, "-l", "3", "-u", third!.Name, "--no-date"]);
    const lines = recent.stdout.trim().split("\n");
    assert.equal(lines.length, 3);
    for (const l of lines)
      assert.match(l, new RegExp(`^\\[web\\]\\[${third!.Name}\\]: tick \\d+ ${third!.Name}$`));
  });

  test("upgrade recreates the agents, which report again; removal takes them off every node and revokes their tokens", async () => {
    const before = await agentContainers();
    const env = (
      await nodeClient(w.info, 0)
        .getContainer(before.find((c) => c.node === 0)!.id)
        .inspect()
    ).Config.Env;
    const oldToken = env.find((e) => e.startsWith("WHARF_AGENT_TOKEN="))!.split("=")[1]!;
    const up1 = await w.ok(["node", "container", "upgrade", "wharf-agent", "-y"]);
    assert.match(up1.stdout, /wharf-agent upgraded/);
    const after1 = await agentContainers();
    assert.equal(after1.length, 3);
    assert.ok(
      after1.every((c) => !before.some((b) => b.id === c.id)),
      "every agent container is new",
    );
    const upgradedAt = Date.now();
    for (const n of w.info.nodes)
      await until(`a report from the new agent of ${n.name}`, async () => {
        const r = await w.api("GET", `/1.6/node/https://${n.address}:2376`);
        const last = (JSON.parse(r.body) as { agent?: { LastReport?: string } }).agent?.LastReport ?? "";
        return Date.parse(last) > upgradedAt ? true : undefined;
      });
    const oldRefused = await request(`${w.apiUrl}/node/logmarks`, {
      headers: { authorization: `bearer ${oldToken}` },
    });
    assert.equal(oldRefused.statusCode, 401, "the replaced agent's token is revoked");
    await oldRefused.body.dump();

    await w.ok(["node", "container", "remove", "wharf-agent", "-y"]);
    await until("no agent container left", async () =>
      (await agentContainers()).length === 0 ? true : undefined,
    );
    const info = await w.ok(["node", "info", `https://${w.info.nodes[1]!.address}:2376`]);
    assert.doesNotMatch(info.stdout, /Agent:/);
  });
});
