// Node agents and app logs on the 3-node cluster with a real `wharf server` listening on
// the cluster bridge (the address agents report to): `node container add wharf-agent` runs
// the agent on every node of the pool, each reports with a token that can do nothing else,
// and `wharf app log -f` keeps streaming the agents' forwarded lines through an app restart
// and through a unit the healer replaces, without reconnecting, each line once.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "undici";
import { hostAddress } from "../../src/cluster/dev/layout.js";
import { hostEngine, nodeClient, testLayout } from "../support/dev-cluster.js";
import { ensureHostAgentImage } from "../support/agent-image.js";
import { setupWharf, streamDeploy, tarGz, type WharfE2E } from "../support/wharf-e2e.js";
import { CLI } from "../integration/cli/helpers.js";
import { CHAOS_ENV, appUnits, nodeAddress, type UnitInfo } from "../../bench/healing/chaos.js";

const APP = "ticker";
const AGENT = "wharf-nc.wharf-agent";
let w: WharfE2E;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `wharf app log -f` as a child process, its output kept as it comes. */
class Follower {
  readonly child: ChildProcess;
  out = "";
  err = "";

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? "",
        HOME: w.home,
        WHARF_HOME: w.home,
        WHARF_TARGET: w.apiUrl,
        WHARF_TOKEN: w.token,
        TZ: "UTC",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (d) => (this.out += String(d)));
    this.child.stderr!.on("data", (d) => (this.err += String(d)));
  }

  /** `[worker][<unit>]: tick N` lines, by unit. */
  ticks(): Map<string, number[]> {
    const m = new Map<string, number[]>();
    for (const l of this.out.split("\n")) {
      const t = /\[worker\]\[([^\]]+)\]: tick (\d+)$/.exec(l);
      if (!t) continue;
      m.set(t[1]!, [...(m.get(t[1]!) ?? []), Number(t[2])]);
    }
    return m;
  }

  /** Waits until the unit has printed `n` more lines in the stream. */
  async sees(unit: string, n = 2): Promise<void> {
    await until(`${n} lines from ${unit} in the followed log`, async () => {
      assert.equal(this.child.exitCode, null, `app log -f ended: ${this.err}`);
      return (this.ticks().get(unit)?.length ?? 0) >= n ? true : undefined;
    });
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
  }
}

/** The agent container's output on node `i` (for failure messages). */
async function agentLogs(i: number): Promise<string> {
  try {
    const buf = await nodeClient(w.info, i)
      .getContainer(AGENT)
      .logs({ stdout: true, stderr: true, tail: 30 });
    return String(buf);
  } catch (err) {
    return `(no agent container: ${(err as Error).message})`;
  }
}

const workers = async (): Promise<UnitInfo[]> =>
  (await appUnits(w, APP)).filter((u) => u.ProcessName === "worker" && u.Status === "started");

before(async () => {
  const bridge = hostAddress(testLayout());
  w = await setupWharf({
    prefix: "logs",
    // Listening on the bridge makes it the address the agents are given.
    env: { ...CHAOS_ENV, WHARF_HOST: bridge, WHARF_AGENT_INTERVAL_MS: "500" },
  });
  // Nodes of the dev cluster serve their engine on a socket of their own.
  for (const n of w.info.nodes)
    await w.ok(["node", "update", `https://${n.address}:2376`, `docker-socket=${n.socket}`]);
  await ensureHostAgentImage(hostEngine(), w.info.registry);
});

after(async () => {
  await w?.close();
});

describe("node agents and app logs", () => {
  test("node container add wharf-agent runs the agent on every node of the pool and each reports (node info shows it)", async () => {
    await w.ok(["node", "container", "add", "wharf-agent"]);
    for (let i = 0; i < w.info.nodes.length; i++) {
      let last = "";
      const info = await until(`a report from node ${i + 1}'s agent`, async () => {
        last = (await w.cli(["node", "info", nodeAddress(w, i)])).stdout;
        return /Agent: wharf-agent, last report \d{4}-/.test(last) && /checks: docker: ok/.test(last)
          ? last
          : undefined;
      }).catch(async (e: Error) => {
        const logs = await agentLogs(i);
        throw new Error(`${e.message}\nnode info:\n${last}\nagent output:\n${logs}`);
      });
      assert.doesNotMatch(info, /last report never/, info);
      const [c] = await nodeClient(w.info, i).listContainers({
        filters: JSON.stringify({ label: ["wharf.nodecontainer=wharf-agent"] }),
      });
      assert.equal(c?.State, "running", `node ${i + 1} runs the agent`);
    }
    const list = await w.ok(["node", "container", "list"]);
    assert.match(list.stdout, /wharf-agent/);
  });

  test("an agent's token reports for its own node and is refused (403) everywhere else", async () => {
    const env = (await nodeClient(w.info, 0).getContainer(AGENT).inspect()).Config.Env ?? [];
    const token = env.find((e) => e.startsWith("WHARF_AGENT_TOKEN="))?.slice("WHARF_AGENT_TOKEN=".length);
    assert.ok(token, "the agent was given a token");
    const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
      const res = await request(`${w.apiUrl}${path}`, {
        method,
        headers: { authorization: `bearer ${token}`, "content-type": "application/json" },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.statusCode, body: await res.body.text() };
    };
    const report = { Addrs: [], Units: [], Checks: [{ Name: "docker", Err: "", Successful: true }] };
    assert.equal((await call("POST", "/node/status", report)).status, 200);
    for (const [method, path] of [
      ["GET", "/apps"],
      ["GET", "/node"],
      ["GET", "/docker/nodecontainers"],
      ["GET", "/users/info"],
    ] as const) {
      const r = await call(method, path);
      assert.equal(r.status, 403, `${method} ${path} with an agent token: ${r.body}`);
    }
  });

  test("app log -f streams every unit's lines through an app restart and a unit the healer replaces", async () => {
    await w.ok(["app", "create", APP, "node", "-t", "devs"]);
    const archive = await tarGz([
      {
        name: "ticker.js",
        content: `let i = 0;
setInterval(() => console.log("tick " + ++i), 300);
process.on("SIGTERM", () => process.exit(0));
`,
      },
      { name: "Procfile", content: "worker: node ticker.js\n" },
    ]);
    const d = await streamDeploy(w, APP, archive);
    assert.equal(d.status, 200, d.text);
    await w.ok(["unit", "add", "1", "-a", APP, "-p", "worker"]);
    const first = await until("two started workers", async () => {
      const us = await workers();
      return us.length === 2 ? us : undefined;
    });

    const f = new Follower(["app", "log", "-a", APP, "-f", "-l", "5"]);
    try {
      for (const u of first) await f.sees(u.Name);

      await w.ok(["app", "restart", "-a", APP]);
      const restarted = await until("two new workers after the restart", async () => {
        const us = await workers();
        return us.length === 2 && us.every((u) => !first.some((o) => o.Name === u.Name)) ? us : undefined;
      });
      for (const u of restarted) await f.sees(u.Name);

      // Behind Wharf's back: the healer replaces the unit, on whichever node it picks.
      const [victim] = restarted;
      const index = w.info.nodes.findIndex((n) => victim!.Node === `https://${n.address}:2376`);
      await nodeClient(w.info, index).getContainer(victim!.ID).remove({ force: true });
      const replacement = await until(
        "the healer's replacement worker",
        async () => {
          const us = await workers();
          return us.length === 2 && !us.some((u) => u.Name === victim!.Name)
            ? us.find((u) => !restarted.some((o) => o.Name === u.Name))
            : undefined;
        },
        180_000,
      );
      await f.sees(replacement!.Name);
      assert.equal(f.child.exitCode, null, "app log -f is still the same stream");

      // Each unit's lines arrive once and in order (agents resume from the newest stored line).
      for (const [unit, ticks] of f.ticks())
        for (let i = 1; i < ticks.length; i++)
          assert.ok(
            ticks[i]! > ticks[i - 1]!,
            `${unit}: tick ${ticks[i]} after ${ticks[i - 1]} (duplicate or out of order)`,
          );
    } finally {
      f.stop();
    }

    // The recent history keeps the units' prefixes; -u narrows it to one unit.
    const one = await w.ok(["app", "log", "-a", APP, "-l", "20", "-u", first[0]!.Name, "--no-date"]);
    const lines = one.stdout.trim().split("\n");
    assert.ok(
      lines.length > 0 && lines.every((l) => l.startsWith(`[worker][${first[0]!.Name}]: tick `)),
      one.stdout,
    );
  });
});
