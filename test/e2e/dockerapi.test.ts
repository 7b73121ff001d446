// The Docker-API cluster endpoint on the 3-node test cluster, driven by the real docker CLIs
// (Debian's 20.10 and the newer 28) and Debian's docker-compose, as users of two teams:
// Swarm's scheduling (constraints, affinities, ports, --volumes-from), the everyday commands
// (ps, logs -f, exec -it through a pty, cp, stop, rm, pull to every node), compose up/down,
// the wall between teams, refused input with nothing created, certificates (another CA,
// revoked, removed user), and rescheduling when a node's dockerd is killed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { nodeClient, testLayout } from "../support/dev-cluster.js";
import { restartNode, stopNode } from "../../src/cluster/dev/cluster.js";
import {
  DOCKER_20,
  DOCKER_28,
  ok,
  run,
  setupEndpoint,
  type DockerUser,
  type EndpointSetup,
} from "../support/docker-endpoint.js";

let s: EndpointSetup;
let alice: DockerUser;
let bob: DockerUser;

const node = async (u: DockerUser, ref: string): Promise<string> =>
  (await ok(s.docker(u, ["inspect", "-f", "{{.Node.Name}}", ref]))).stdout.trim();

/** Endpoint containers on the nodes themselves (label wharf.docker.team), whatever the endpoint says. */
async function onNodes(): Promise<Array<{ node: number; name: string; sid: string; team: string }>> {
  const out = [];
  for (let i = 0; i < 3; i++) {
    const cs = await nodeClient(s.info, i)
      .listContainers({ all: true, filters: JSON.stringify({ label: ["wharf.docker.team"] }) })
      .catch(() => []);
    for (const c of cs)
      out.push({
        node: i,
        name: c.Names[0] ?? "",
        sid: c.Labels["com.docker.swarm.id"] ?? "",
        team: c.Labels["wharf.docker.team"] ?? "",
      });
  }
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

before(async () => {
  s = await setupEndpoint({ prefix: "dockerapi" });
  await ok(s.admin(["team", "create", "alpha"]));
  await ok(s.admin(["team", "create", "beta"]));
  alice = await s.addUser("alice@example.com", "alpha");
  bob = await s.addUser("bob@example.com", "beta");
});

after(async () => {
  await s?.close();
});

describe("Docker-API cluster endpoint", () => {
  test("wharf docker env prints DOCKER_HOST, DOCKER_TLS_VERIFY and a DOCKER_CERT_PATH with ca.pem, cert.pem and key.pem naming the user", () => {
    assert.equal(alice.env.DOCKER_HOST, s.dockerUrl);
    assert.equal(alice.env.DOCKER_TLS_VERIFY, "1");
    const dir = alice.env.DOCKER_CERT_PATH!;
    for (const f of ["ca.pem", "cert.pem", "key.pem"])
      assert.ok(readFileSync(join(dir, f), "utf8").includes("-----BEGIN"));
  });

  test("docker info (20.10 and 28) lists the pool's three nodes in Swarm's layout, healthy, with their labels", async () => {
    for (const bin of [DOCKER_20, DOCKER_28]) {
      const r = await ok(s.docker(alice, ["info"], { bin }));
      assert.match(r.stdout, /Nodes: 3/);
      for (const n of s.nodeNames) assert.match(r.stdout, new RegExp(`${n}: `));
      assert.equal(r.stdout.match(/Status: Healthy/g)?.length, 3, r.stdout);
      assert.match(r.stdout, /└ Labels: .*zone=b/);
      assert.match(r.stdout, /Strategy: spread/);
    }
  });

  test("docker pull goes to every node of the pool", async () => {
    const r = await ok(s.docker(alice, ["pull", s.image]));
    for (const n of s.nodeNames) assert.match(r.stdout, new RegExp(`${n}: Pulling`));
    for (let i = 0; i < 3; i++)
      assert.ok(
        (await nodeClient(s.info, i).listImages()).some((img) => img.RepoTags?.includes(s.image)),
        `node ${i} has the image`,
      );
  });

  test("run -d -e constraint:zone==b lands on the zone-b node (CLI 20.10 too), and -e affinity:container==web1 beside it", async () => {
    await ok(
      s.docker(alice, ["run", "-d", "--name", "web1", "-e", "constraint:zone==b", s.image, "sleep", "1000"], {
        bin: DOCKER_20,
      }),
    );
    assert.equal(await node(alice, "web1"), s.nodeNames[1]);
    const onB = await nodeClient(s.info, 1).listContainers({
      filters: JSON.stringify({ label: ["wharf.docker.team=alpha"] }),
    });
    assert.equal(onB.length, 1, "the container is on node 2 itself");
    const env = JSON.parse(
      (await ok(s.docker(alice, ["inspect", "-f", "{{json .Config.Env}}", "web1"]))).stdout,
    ) as string[];
    assert.ok(
      !env.some((e) => e.startsWith("constraint:")),
      "the expression is not passed to the container's env",
    );
    await ok(
      s.docker(alice, [
        "run",
        "-d",
        "--name",
        "web2",
        "-e",
        "affinity:container==web1",
        s.image,
        "sleep",
        "1000",
      ]),
    );
    assert.equal(await node(alice, "web2"), s.nodeNames[1]);
  });

  test("two containers publishing -p 8080:80 land on different nodes", async () => {
    await ok(
      s.docker(alice, ["run", "-d", "--name", "p1", "-p", "8080:80", s.image, "httpd", "-f", "-p", "80"]),
    );
    await ok(
      s.docker(alice, ["run", "-d", "--name", "p2", "-p", "8080:80", s.image, "httpd", "-f", "-p", "80"]),
    );
    assert.notEqual(await node(alice, "p1"), await node(alice, "p2"));
  });

  test("--volumes-from lands on its source's node and sees its volume", async () => {
    await ok(
      s.docker(alice, [
        "run",
        "-d",
        "--name",
        "data",
        "-e",
        "constraint:zone==c",
        "-v",
        "vol1:/data",
        s.image,
        "sh",
        "-c",
        "echo hello > /data/x; sleep 1000",
      ]),
    );
    await ok(
      s.docker(alice, ["run", "-d", "--name", "reader", "--volumes-from", "data", s.image, "sleep", "1000"]),
    );
    assert.equal(await node(alice, "reader"), await node(alice, "data"));
    const r = await until("the volume's file", async () => {
      const x = await s.docker(alice, ["exec", "reader", "cat", "/data/x"]);
      return x.code === 0 ? x.stdout : undefined;
    });
    assert.equal(r.trim(), "hello");
  });

  test("ps names containers <node>/<name>; logs -f streams; exec -it runs through a pty; cp copies both ways; stop and rm work", async () => {
    await ok(
      s.docker(alice, [
        "run",
        "-d",
        "--name",
        "talker",
        s.image,
        "sh",
        "-c",
        "i=0; while true; do echo line $i; i=$((i+1)); sleep 0.2; done",
      ]),
    );
    const ps = await ok(s.docker(alice, ["ps", "--format", "{{.Names}}"]));
    assert.match(ps.stdout, new RegExp(`^${await node(alice, "talker")}/talker$`, "m"));
    // logs -f keeps streaming until interrupted.
    const child = spawn(DOCKER_28, ["logs", "-f", "talker"], {
      env: { PATH: process.env.PATH ?? "", HOME: alice.home, ...alice.env },
    });
    let seen = "";
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`logs -f gave: ${seen}`)), 30_000);
      child.stdout.on("data", (d) => {
        seen += d;
        if (/line 8/.test(seen)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    child.kill("SIGINT");
    // exec -it through a pseudo-terminal (util-linux `script`).
    const env = { PATH: process.env.PATH ?? "", HOME: alice.home, ...alice.env };
    const tty = await run(
      "script",
      ["-qec", `${DOCKER_28} exec -it talker sh -c 'tty; echo in-tty'`, "/dev/null"],
      env,
    );
    assert.equal(tty.code, 0, tty.stderr);
    assert.match(tty.stdout, /\/dev\/pts\/\d+/);
    assert.match(tty.stdout, /in-tty/);
    const plain = await ok(s.docker(alice, ["exec", "talker", "echo", "no-tty"]));
    assert.equal(plain.stdout, "no-tty\n");
    // cp in and out.
    const local = join(s.dir, "payload.txt");
    writeFileSync(local, "payload\n");
    await ok(s.docker(alice, ["cp", local, "talker:/payload.txt"]));
    assert.equal((await ok(s.docker(alice, ["exec", "talker", "cat", "/payload.txt"]))).stdout, "payload\n");
    await ok(s.docker(alice, ["cp", "talker:/payload.txt", join(s.dir, "back.txt")]));
    assert.equal(readFileSync(join(s.dir, "back.txt"), "utf8"), "payload\n");
    await ok(s.docker(alice, ["stop", "-t", "1", "talker"]));
    assert.match(
      (await ok(s.docker(alice, ["ps", "-a", "--filter", "name=talker", "--format", "{{.Status}}"]))).stdout,
      /^Exited/,
    );
    assert.doesNotMatch((await ok(s.docker(alice, ["ps", "--format", "{{.Names}}"]))).stdout, /talker/);
    await ok(s.docker(alice, ["rm", "talker"]));
    assert.doesNotMatch((await ok(s.docker(alice, ["ps", "-a", "--format", "{{.Names}}"]))).stdout, /talker/);
    assert.ok(!(await onNodes()).some((c) => c.name.includes("talker")));
  });

  test("run without -d attaches: output comes back, -i carries stdin, and --rm frees the name at once", async () => {
    for (let i = 0; i < 2; i++) {
      const r = await ok(s.docker(alice, ["run", "--rm", "--name", "once", s.image, "echo", `hi ${i}`]));
      assert.equal(r.stdout, `hi ${i}\n`, "the second run of the name is not refused");
    }
    const echo = await ok(
      s.docker(alice, ["run", "--rm", "-i", s.image, "cat"], { input: "through stdin\n" }),
    );
    assert.equal(echo.stdout, "through stdin\n");
    assert.doesNotMatch((await ok(s.docker(alice, ["ps", "-a", "--format", "{{.Names}}"]))).stdout, /once/);
  });

  test("docker events merges the pool's nodes for the caller's teams, naming the node; --until in the past ends at once", async () => {
    const env = (u: DockerUser) => ({ PATH: process.env.PATH ?? "", HOME: u.home, ...u.env });
    const follow = (u: DockerUser) => {
      const child = spawn(DOCKER_28, ["events", "--format", "{{json .}}"], { env: env(u) });
      const seen: Array<{ Action?: string; from?: string; Actor?: { Attributes?: Record<string, string> } }> =
        [];
      let buf = "";
      child.stdout.on("data", (d) => {
        buf += d;
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          seen.push(JSON.parse(buf.slice(0, nl)) as (typeof seen)[number]);
          buf = buf.slice(nl + 1);
        }
      });
      return { child, seen };
    };
    const a = follow(alice);
    const b = follow(bob);
    let n = 0;
    try {
      const died = (x: typeof a, name: string) =>
        x.seen.find((e) => e.Action === "die" && e.Actor?.Attributes?.name === name);
      const saw = (action: string, name: string) =>
        a.seen.some((e) => e.Action === action && e.Actor?.Attributes?.name === name);
      // The stream may take a moment to subscribe: run more until one run is seen whole.
      const name = await until("alice's container events", async () => {
        await ok(
          s.docker(alice, ["run", "-d", "--name", `evt${n++}`, "-e", "constraint:zone==a", s.image, "true"]),
        );
        for (let i = 0; i < n; i++)
          if (saw("create", `evt${i}`) && saw("start", `evt${i}`) && saw("die", `evt${i}`)) return `evt${i}`;
        return undefined;
      });
      const die = died(a, name)!;
      assert.equal(die.Actor!.Attributes!["node.name"], s.nodeNames[0]);
      // The deprecated `from` field is only printed by CLIs that still know it.
      if (die.from !== undefined) assert.match(die.from, new RegExp(` node:${s.nodeNames[0]}$`));
      // Bob's stream is live (it shows his own container) and never showed alice's.
      await ok(s.docker(bob, ["run", "-d", "--name", "bobevt", s.image, "true"]));
      await until("bob's own event", async () => died(b, "bobevt"));
      assert.ok(
        !b.seen.some((e) => /^evt\d+$/.test(e.Actor?.Attributes?.name ?? "")),
        "bob saw none of alice's events",
      );
    } finally {
      a.child.kill("SIGINT");
      b.child.kill("SIGINT");
    }
    for (let i = 0; i < n; i++) await ok(s.docker(alice, ["rm", `evt${i}`]));
    await ok(s.docker(bob, ["rm", "bobevt"]));
    const past = String(Math.floor(Date.now() / 1000) - 5);
    const r = await ok(s.docker(alice, ["events", "--until", past]));
    assert.equal(r.stdout, "");
  });

  test("docker-compose brings a two-service file up and down through the endpoint", async () => {
    const proj = join(s.dir, "proj");
    mkdirSync(proj, { recursive: true });
    writeFileSync(
      join(proj, "docker-compose.yml"),
      `version: "3"\nservices:\n  web:\n    image: ${s.image}\n    command: ["sh", "-c", "mkdir -p /www && echo hi > /www/index.html && httpd -f -p 8000 -h /www"]\n  worker:\n    image: ${s.image}\n    command: sh -c "while true; do wget -q -O- http://web:8000/ >/dev/null 2>&1 && echo reached; sleep 1; done"\n    depends_on: [web]\n`,
    );
    const up = await s.docker(alice, ["-p", "proj", "up", "-d"], { bin: "docker-compose", cwd: proj });
    assert.equal(up.code, 0, up.stderr);
    const ps = await ok(
      s.docker(alice, [
        "ps",
        "--filter",
        "label=com.docker.compose.project=proj",
        "--format",
        "{{.Names}} {{.Status}}",
      ]),
    );
    assert.match(ps.stdout, /proj_web_1 Up/);
    assert.match(ps.stdout, /proj_worker_1 Up/);
    // One node holds the project's network, so the services reach each other by name.
    await until("the worker reaching web", async () =>
      (await s.docker(alice, ["logs", "proj_worker_1"])).stdout.includes("reached") ? true : undefined,
    );
    const down = await s.docker(alice, ["-p", "proj", "down"], { bin: "docker-compose", cwd: proj });
    assert.equal(down.code, 0, down.stderr);
    assert.doesNotMatch((await ok(s.docker(alice, ["ps", "-a", "--format", "{{.Names}}"]))).stdout, /proj_/);
    assert.doesNotMatch((await ok(s.docker(alice, ["network", "ls"]))).stdout, /proj_default/);
  });

  test("a user of team B sees none of team A's containers and cannot touch them by id or name", async () => {
    const id = (await ok(s.docker(alice, ["inspect", "-f", "{{.Id}}", "web1"]))).stdout.trim();
    assert.equal((await ok(s.docker(bob, ["ps", "-a", "-q"]))).stdout, "");
    for (const args of [
      ["inspect", "web1"],
      ["stop", id],
      ["rm", id.slice(0, 12)],
      ["logs", "web1"],
      ["exec", "web1", "true"],
      ["kill", "web1"],
    ]) {
      const r = await s.docker(bob, args);
      assert.notEqual(r.code, 0, `bob: docker ${args.join(" ")}`);
      assert.match(r.stderr, /No such (container|object)/, r.stderr);
    }
    // The CLI takes "no such container" under rm -f as done: the container must still be there.
    await s.docker(bob, ["rm", "-f", id]);
    assert.match((await ok(s.docker(bob, ["info"]))).stdout, /Containers: 0/);
    // The same name is free for team B: names are per team.
    await ok(s.docker(bob, ["run", "-d", "--name", "web1", s.image, "sleep", "1000"]));
    assert.equal((await ok(s.docker(bob, ["ps", "-q"]))).stdout.trim().split("\n").length, 1);
    assert.equal(
      (await ok(s.docker(alice, ["inspect", "-f", "{{.Id}}", "web1"]))).stdout.trim(),
      id,
      "alice's web1 untouched",
    );
    await ok(s.docker(bob, ["rm", "-f", "web1"]));
  });

  test("bad input is refused with a clear error and nothing is created", async () => {
    const before = (await onNodes()).length;
    const cases: Array<[string[], RegExp]> = [
      [["-e", "constraint:zone=b"], /One of operator ==, != is expected/],
      [
        ["-e", "constraint:zone==nope"],
        /Unable to find a node that satisfies the following conditions\n(.*\n)*\[zone==nope\]/,
      ],
      [["--privileged"], /privileged containers are refused on pool main/],
      [["-v", "/etc:/host"], /host bind mounts \(\/etc:\/host\) are refused/],
      [["--net", "host"], /host's namespaces \(NetworkMode=host\) are refused/],
      [["--cap-add", "SYS_ADMIN"], /added capabilities/],
      [["--device", "/dev/null"], /devices are refused/],
      [["-e", "reschedule:sometimes"], /invalid reschedule policy: sometimes/],
      [["--security-opt", "systempaths=unconfined"], /refused on pool main/],
      [
        [
          "--mount",
          "type=volume,src=hv,dst=/h,volume-opt=type=none,volume-opt=o=bind,volume-opt=device=/etc",
        ],
        /host bind mounts \(volume wd-[0-9a-f]+-hv with driver options\) are refused/,
      ],
    ];
    for (const [flags, want] of cases) {
      const r = await s.docker(alice, ["run", "-d", ...flags, s.image, "true"]);
      assert.notEqual(r.code, 0, flags.join(" "));
      assert.match(r.stderr, want);
    }
    assert.equal((await onNodes()).length, before, "nothing was created on any node");
    // Networks: nothing of the node's own bridge configuration is the tenant's to set.
    const subnet = `${s.info.nodes[0]!.address.replace(/\.\d+$/, "")}.0/24`;
    for (const [flags, want] of [
      [["-o", "com.docker.network.bridge.name=docker0"], /driver options .* are refused/],
      [["--subnet", subnet], /subnets, ranges and gateways of your own .* are refused/],
    ] as Array<[string[], RegExp]>) {
      const r = await s.docker(alice, ["network", "create", ...flags, "evilnet"]);
      assert.notEqual(r.code, 0, flags.join(" "));
      assert.match(r.stderr, want);
    }
    assert.doesNotMatch((await ok(s.docker(alice, ["network", "ls"]))).stdout, /evilnet/);
  });

  test("what the endpoint does not serve (build, system df, prunes, swarm mode) answers a clear not-supported error at once", async () => {
    const ctx = join(s.dir, "build-ctx");
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, "Dockerfile"), `FROM ${s.image}\nRUN true\n`);
    const cases: Array<[string[], string]> = [
      [["build", "-t", "x", ctx], DOCKER_20],
      [["system", "df"], DOCKER_28],
      [["volume", "prune", "-f"], DOCKER_28],
      [["swarm", "init"], DOCKER_28],
    ];
    for (const [args, bin] of cases) {
      const r = await s.docker(alice, args, { bin, env: { DOCKER_BUILDKIT: "0" } });
      assert.notEqual(r.code, 0, args.join(" "));
      assert.match(r.stderr, /not supported by Wharf's cluster endpoint/, `${args.join(" ")}: ${r.stderr}`);
    }
  });

  test("an admin relaxes a pool's policy: host bind mounts are then accepted there, and refused again once tightened", async () => {
    const bind = ["-v", "/etc/hostname:/h:ro"];
    assert.match((await s.docker(alice, ["run", "-d", ...bind, s.image, "true"])).stderr, /refused/);
    const user = await s.wharfAs(alice, ["docker", "policy", "set", "main", "--allow-host-binds", "true"]);
    assert.notEqual(user.code, 0, "a team member cannot relax the policy");
    await ok(s.admin(["docker", "policy", "set", "main", "--allow-host-binds", "true"]));
    await ok(s.docker(alice, ["run", "-d", "--name", "bound", ...bind, s.image, "true"]));
    await ok(s.docker(alice, ["rm", "-f", "bound"]));
    await ok(s.admin(["docker", "policy", "set", "main", "--allow-host-binds", "false"]));
    assert.match((await s.docker(alice, ["run", "-d", ...bind, s.image, "true"])).stderr, /refused/);
  });

  test("the team's quota on a pool is applied: past containers-per-team, creates are refused", async () => {
    const held = (await ok(s.docker(alice, ["ps", "-aq"]))).stdout.trim().split("\n").filter(Boolean).length;
    await ok(s.admin(["docker", "policy", "set", "main", "--containers-per-team", String(held + 1)]));
    try {
      await ok(s.docker(alice, ["run", "-d", "--name", "last", s.image, "sleep", "100"]));
      const r = await s.docker(alice, ["run", "-d", "--name", "over", s.image, "sleep", "100"]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, new RegExp(`team alpha has ${held + 1} containers on pool main, its limit`));
      await ok(s.docker(alice, ["rm", "-f", "last"]));
    } finally {
      await ok(s.admin(["docker", "policy", "set", "main", "--containers-per-team", "100"]));
    }
  });

  test("a certificate from another CA, a revoked certificate and a removed user's certificate are refused", async () => {
    // Another CA's certificate, in a copy of alice's directory.
    const other = join(s.dir, "other-ca");
    mkdirSync(other);
    const sh = (cmd: string) => ok(run("sh", ["-c", cmd], { PATH: process.env.PATH ?? "" }, other));
    await sh(
      "openssl ecparam -name prime256v1 -genkey -noout -out ca-key.pem && openssl req -x509 -new -key ca-key.pem -subj /CN=evil -days 2 -out evil-ca.pem",
    );
    await sh(
      "openssl ecparam -name prime256v1 -genkey -noout -out key.pem && openssl req -new -key key.pem -subj /CN=alice@example.com -out c.csr",
    );
    await sh(
      "openssl x509 -req -in c.csr -CA evil-ca.pem -CAkey ca-key.pem -set_serial 7 -days 2 -out cert.pem",
    );
    writeFileSync(join(other, "ca.pem"), readFileSync(join(alice.env.DOCKER_CERT_PATH!, "ca.pem")));
    const foreign = await s.docker(alice, ["ps"], { env: { DOCKER_CERT_PATH: other } });
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stderr, /not issued by this Wharf's Docker CA/);
    // A second certificate of alice's, revoked.
    const second = join(s.dir, "second");
    const issued = await ok(s.wharfAs(alice, ["docker", "certs", "--dir", second]));
    const serial = /Certificate (\S+) /.exec(issued.stdout)![1]!;
    await ok(s.docker(alice, ["ps"], { env: { DOCKER_CERT_PATH: second } }));
    await ok(s.wharfAs(alice, ["docker", "certs", "revoke", serial]));
    const revoked = await s.docker(alice, ["ps"], { env: { DOCKER_CERT_PATH: second } });
    assert.notEqual(revoked.code, 0);
    assert.match(revoked.stderr, /was revoked/);
    await ok(s.docker(alice, ["ps"]));
    // Removing the user cuts their certificate at once.
    const carol = await s.addUser("carol@example.com", "alpha");
    await ok(s.docker(carol, ["ps"]));
    await ok(s.admin(["user", "remove", "carol@example.com", "-y"]));
    const gone = await s.docker(carol, ["ps"]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /no longer exists/);
  });

  test("killing a node's dockerd: a reschedule:on-node-failure container comes back on another node with its swarm id, the others show Host Down, and no duplicate survives its return", async () => {
    await ok(
      s.docker(alice, [
        "run",
        "-d",
        "--name",
        "mover",
        "-e",
        "constraint:zone==~b",
        "-e",
        "reschedule:on-node-failure",
        s.image,
        "sleep",
        "1000",
      ]),
    );
    await ok(
      s.docker(alice, [
        "run",
        "-d",
        "--name",
        "stayer",
        "-e",
        "constraint:zone==~b",
        s.image,
        "sleep",
        "1000",
      ]),
    );
    assert.equal(await node(alice, "mover"), s.nodeNames[1]);
    const sid = (
      await ok(s.docker(alice, ["inspect", "-f", '{{index .Config.Labels "com.docker.swarm.id"}}', "mover"]))
    ).stdout.trim();
    await stopNode(2, testLayout());
    try {
      const where = await until("mover running elsewhere", async () => {
        const r = await s.docker(alice, ["inspect", "-f", "{{.Node.Name}} {{.State.Status}}", "mover"]);
        const [n, st] = r.stdout.trim().split(" ");
        return r.code === 0 && n !== s.nodeNames[1] && st === "running" ? n : undefined;
      });
      assert.ok(s.nodeNames.includes(where!));
      assert.equal(
        (
          await ok(
            s.docker(alice, ["inspect", "-f", '{{index .Config.Labels "com.docker.swarm.id"}}', "mover"]),
          )
        ).stdout.trim(),
        sid,
      );
      const all = (await ok(s.docker(alice, ["ps", "-a", "--format", "{{.Names}}|{{.Status}}"]))).stdout;
      assert.match(all, new RegExp(`${s.nodeNames[1]}/stayer\\|Host Down`));
      assert.match(all, new RegExp(`${s.nodeNames[1]}/web1\\|Host Down`));
      assert.doesNotMatch((await ok(s.docker(alice, ["ps", "--format", "{{.Names}}"]))).stdout, /stayer/);
      assert.match((await s.docker(alice, ["inspect", "stayer"])).stderr, /running on unhealthy node/);
    } finally {
      await restartNode(2, testLayout());
    }
    await until("the old copy gone from the returned node", async () => {
      const copies = (await onNodes()).filter((c) => c.sid === sid);
      return copies.length === 1 && copies[0]!.node !== 1 ? true : undefined;
    });
    await until("stayer healthy again", async () =>
      (await s.docker(alice, ["inspect", "stayer"])).code === 0 ? true : undefined,
    );
  });
});
