// The README's main command on the README's layout (/var/lib/wharf, the default `wdv` dev
// cluster, API :8080, router :8000), in issue 22's steps: after `wharf dev cluster up --nodes 3`
// a run of scripts/wharf-up.sh without WHARF_NODES keeps the 3 nodes (it registers only n1);
// the user registers n2 and n3 and scales the app onto them; a second run changes nothing
// (same dockerds, same server, same units on the same nodes) and says so.
// It refuses to run over a Wharf a user has on this machine: it only touches /var/lib/wharf
// and the default cluster when neither exists, or when its own marker shows a crashed run of
// this test left them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { existingNodes, status } from "../../src/cluster/dev/cluster.js";
import { readPid } from "../../src/cluster/dev/daemon.js";
import { defaultLayout, nodeNames } from "../../src/cluster/dev/layout.js";
import { buildCli, ROOT, runCli } from "../integration/cli/helpers.js";

const STATE = "/var/lib/wharf";
const MARKER = `${STATE}/.created-by-wharf-up-test`;
const SERVER_LOG = "/var/log/wharf-server.log";
// The README's environment: none of the variables that move Wharf's or the cluster's files.
const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root" };
const l = defaultLayout({});

function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

const wharf = (...args: string[]) => runCli(args, { env: { ...env, WHARF_HOME: `${STATE}/cli` } });
const wharfUp = () => run("bash", ["scripts/wharf-up.sh"]);

/** The script's output and, when it failed, the server log's end (removed at clean-up). */
function explain(r: { code: number; out: string }): string {
  if (r.code === 0 || !existsSync(SERVER_LOG)) return r.out;
  const log = readFileSync(SERVER_LOG, "utf8").trim().split("\n").slice(-60).join("\n");
  return `${r.out}\nlast lines of ${SERVER_LOG}:\n${log}`;
}

async function serverPid(): Promise<number | undefined> {
  return readPid(`${STATE}/server.pid`);
}

interface Unit {
  ID?: string;
  Name?: string;
  Node?: string;
  Status?: string;
}

/** The app's units as "container@node", sorted, once every one has a started container. */
async function units(): Promise<string[]> {
  let list: Unit[] = [];
  for (let i = 0; i < 240; i++) {
    const r = await wharf("app", "info", "-a", "hello", "--json");
    assert.equal(r.code, 0, r.stderr);
    list = (JSON.parse(r.stdout) as { units?: Unit[] }).units ?? [];
    if (list.length && list.every((u) => u.Status === "started" && u.ID && u.ID !== u.Name))
      return list.map((u) => `${u.ID}@${u.Node ?? ""}`).sort();
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`hello's units never all started: ${JSON.stringify(list)}`);
}

async function dockerdPids(): Promise<Array<number | undefined>> {
  return Promise.all((await existingNodes(l)).map((i) => readPid(nodeNames(l, i).pidFile)));
}

/** Stops what the script started and removes the README layout (only ever ours, see above). */
async function cleanUp(): Promise<void> {
  const pid = await serverPid();
  if (pid) {
    try {
      process.kill(pid, "SIGTERM");
      for (let i = 0; i < 100 && existsSync(`/proc/${pid}`); i++)
        await new Promise((r) => setTimeout(r, 100));
    } catch {
      // already gone
    }
  }
  const down = await runCli(["dev", "cluster", "down", "--yes"], { env });
  assert.equal(down.code, 0, down.stderr);
  rmSync(STATE, { recursive: true, force: true });
}

describe("scripts/wharf-up.sh after a 3-node cluster", () => {
  let skip = "";
  let logExisted = false;

  before(async () => {
    const leftOver = existsSync(MARKER);
    if (!leftOver && (existsSync(STATE) || existsSync(l.stateDir) || (await existingNodes(l)).length)) {
      skip = `a Wharf is set up on this machine (${STATE} or the default dev cluster): this test never touches it`;
      return;
    }
    buildCli();
    if (leftOver) await cleanUp();
    logExisted = existsSync(SERVER_LOG);
    mkdirSync(STATE, { recursive: true, mode: 0o700 });
    writeFileSync(MARKER, "");
    const up = await runCli(["dev", "cluster", "up", "--nodes", "3"], { env });
    assert.equal(up.code, 0, up.stderr);
  });

  after(async () => {
    if (skip) return;
    await cleanUp();
    if (!logExisted) rmSync(SERVER_LOG, { force: true });
  });

  test("two runs keep the 3 nodes; the second changes nothing that is up, units on n2 and n3 included, and says so", async (t) => {
    if (skip) return t.skip(skip);
    const url = (i: number) => `https://${nodeNames(l, i).address}:2376`;

    const first = await wharfUp();
    assert.equal(first.code, 0, explain(first));
    assert.match(first.out, /Hello from Wharf!/);
    assert.match(first.out, /kept n2, n3 running as they are, beyond WHARF_NODES=1/);
    const registered = await wharf("node", "list", "--json");
    assert.ok(registered.stdout.includes(url(1)), registered.stdout);
    assert.ok(!registered.stdout.includes(url(2)) && !registered.stdout.includes(url(3)), registered.stdout);

    // What the user did: the extra nodes in the app's pool, units on them.
    for (const i of [2, 3]) {
      const add = await wharf("node", "add", `address=${url(i)}`, "pool=main", "--register");
      assert.equal(add.code, 0, add.stderr);
    }
    const scaled = await wharf("unit", "add", "2", "-a", "hello");
    assert.equal(scaled.code, 0, scaled.stderr);
    const before = await units();
    assert.equal(before.length, 3, before.join(" "));
    assert.ok(
      before.some((u) => u.endsWith(`@${url(2)}`) || u.endsWith(`@${url(3)}`)),
      `units on n2 or n3: ${before.join(" ")}`,
    );
    const dockerds = await dockerdPids();
    const server = await serverPid();

    const began = Date.now();
    const second = await wharfUp();
    t.diagnostic(`second run, ${((Date.now() - began) / 1000).toFixed(1)} s:`);
    for (const line of second.out.trim().split("\n")) t.diagnostic(`  ${line}`);
    assert.equal(second.code, 0, explain(second));
    assert.match(
      second.out,
      /Everything was already up: checked the cluster \(3 nodes\), the server and app "hello"; nothing changed\./,
    );
    assert.doesNotMatch(second.out, /deploying|starting wharf server|registered node|dev cluster:/);
    assert.match(second.out, /Hello from Wharf!/);
    assert.deepEqual(
      (await status(l)).nodes.map((n) => `${n.name} ${n.dockerd}`),
      ["n1 running", "n2 running", "n3 running"],
    );
    assert.deepEqual(await dockerdPids(), dockerds);
    assert.equal(await serverPid(), server);
    assert.deepEqual(await units(), before);
  });
});
