// The pure wall model: which rules a node gets for its team networks, that they are
// deterministic, validated, and read back (state parser) as enforced, stale or missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { teamNetwork } from "../../../src/isolation/names.js";
import { nodeRuleset, restoreBody, type NodeWallSpec } from "../../../src/isolation/rules.js";
import { parseWallState, wallStatus } from "../../../src/isolation/state.js";

const A = teamNetwork("team-a");
const B = teamNetwork("team-b");
const Bb = teamNetwork("team-b", "build");

const spec = (over: Partial<NodeWallSpec> = {}): NodeWallSpec => ({
  nodeAddress: "10.0.0.11",
  networks: [A, B, Bb],
  internal: ["10.0.0.11", "10.0.0.12", "10.0.0.1", "169.254.0.0/16"],
  ingressFrom: ["10.0.0.1", "10.0.0.11", "10.0.0.12"],
  ingressOnly: ["docker0"],
  teamEndpoints: {
    "team-a": [
      { address: "10.0.0.12", port: 30001 },
      { address: "10.0.0.11", port: 30002 },
    ],
  },
  open: [{ address: "10.0.0.1", port: 8000 }],
  ...over,
});

const rulesOf = (lines: string[], bridge: string) => lines.filter((l) => l.includes(`-i ${bridge} `));

test("team network names are Docker-safe, bridges fit 15 characters, kinds and teams never share a bridge", () => {
  const odd = teamNetwork("ops+db@example.com");
  assert.match(odd.network, /^wharf-team-ops_db_example.com-[0-9a-f]{8}$/);
  for (const n of [A, B, Bb, odd]) assert.ok(n.bridge.length <= 15, n.bridge);
  assert.equal(A.network, "wharf-team-team-a");
  assert.equal(Bb.network, "wharf-build-team-b");
  assert.equal(new Set([A.bridge, B.bridge, Bb.bridge, odd.bridge]).size, 4);
});

test("a team's bridge accepts its own endpoints and the open ones before rejecting internal addresses", () => {
  const a = rulesOf(nodeRuleset(spec()).forward, A.bridge);
  const accept = a.findIndex((l) => l.includes("--ctorigdst 10.0.0.12 --ctorigdstport 30001 -j ACCEPT"));
  const open = a.findIndex((l) => l.includes("--ctorigdst 10.0.0.1 --ctorigdstport 8000 -j ACCEPT"));
  const reject = a.findIndex((l) => l.includes("--ctorigdst 10.0.0.12/32 -j REJECT"));
  assert.ok(accept > 0 && open > 0 && reject > accept && reject > open, a.join("\n"));
  assert.ok(a.at(-1)!.endsWith(`-i ${A.bridge} -j RETURN`), "the rest (internet) goes on to Docker's rules");
  for (const other of ["wt-+", "wb-+", "docker0"]) {
    assert.ok(a.includes(`-A WHARF-FORWARD -i ${A.bridge} -o ${other} -j REJECT`), other);
  }
  assert.ok(
    a.indexOf(`-A WHARF-FORWARD -i ${A.bridge} -o ${A.bridge} -j RETURN`) <
      a.indexOf(`-A WHARF-FORWARD -i ${A.bridge} -o wt-+ -j REJECT`),
  );
});

test("a team's host-port block on every node is one rule per bridge, and opens its INPUT ports too", () => {
  const r = nodeRuleset(
    spec({ teamEndpoints: { "team-a": [{ address: "10.0.0.0/24", port: 31000, toPort: 31099 }] } }),
  );
  assert.ok(
    r.forward.includes(
      `-A WHARF-FORWARD -i ${A.bridge} -p tcp -m conntrack --ctorigdst 10.0.0.0/24 --ctorigdstport 31000:31099 -j ACCEPT`,
    ),
  );
  assert.ok(
    r.input.includes(
      `-A WHARF-INPUT -d 10.0.0.11/32 -i ${A.bridge} -p tcp -m tcp --dport 31000:31099 -j RETURN`,
    ),
  );
  assert.throws(
    () => nodeRuleset(spec({ open: [{ address: "10.0.0.1", port: 9, toPort: 8 }] })),
    /ends before it starts/,
  );
});

test("the number of rules grows linearly with the teams on a node", () => {
  const teams = (n: number) => Array.from({ length: n }, (_, k) => teamNetwork(`t${k}`));
  const size = (n: number) => nodeRuleset(spec({ networks: teams(n) })).forward.length;
  assert.equal(size(200) - size(100), 100 * (size(2) - size(1)));
});

test("team B gets none of A's endpoints; a build network gets only the open ones", () => {
  const r = nodeRuleset(spec());
  assert.ok(!rulesOf(r.forward, B.bridge).some((l) => l.includes("30001")));
  const build = rulesOf(r.forward, Bb.bridge).filter((l) => l.includes("ACCEPT"));
  assert.deepEqual(
    build.map((l) => /--ctorigdstport (\d+)/.exec(l)![1]),
    ["8000"],
  );
});

test("published ports take new connections only from routers and cluster nodes", () => {
  const r = nodeRuleset(spec());
  for (const b of [A.bridge, B.bridge, Bb.bridge, "docker0"]) {
    const ingress = r.forward.filter((l) => l.includes(`-o ${b} `) && !l.includes("-i "));
    assert.deepEqual(
      ingress.map((l) => l.replace(/^-A WHARF-FORWARD /, "")),
      ["-s 10.0.0.1/32", "-s 10.0.0.11/32", "-s 10.0.0.12/32"]
        .map((s) => `${s} -o ${b} -j RETURN`)
        .concat(`-o ${b} -j DROP`),
    );
  }
  assert.ok(r.forward.includes("-A WHARF-FORWARD -i docker0 -o docker0 -j RETURN"));
  assert.equal(r.forward[1], "-A WHARF-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
});

test("INPUT from a team bridge allows only that team's ports on this node", () => {
  const r = nodeRuleset(spec());
  const a = r.input.filter((l) => l.includes(`-i ${A.bridge} `));
  assert.deepEqual(a, [
    `-A WHARF-INPUT -d 10.0.0.11/32 -i ${A.bridge} -p tcp -m tcp --dport 30002 -j RETURN`,
    `-A WHARF-INPUT -i ${A.bridge} -j REJECT`,
  ]);
  assert.deepEqual(
    r.input.filter((l) => l.includes(`-i ${B.bridge} `)),
    [`-A WHARF-INPUT -i ${B.bridge} -j REJECT`],
  );
});

test("the ruleset and digest do not depend on input order, and change with any input", () => {
  const s = spec();
  const shuffled = spec({
    networks: [...s.networks].reverse(),
    internal: [...s.internal].reverse(),
    ingressFrom: [...s.ingressFrom].reverse(),
    teamEndpoints: { "team-a": [...s.teamEndpoints["team-a"]!].reverse() },
  });
  assert.deepEqual(nodeRuleset(shuffled), nodeRuleset(s));
  assert.notEqual(nodeRuleset(spec({ open: [] })).digest, nodeRuleset(s).digest);
  const body = restoreBody(nodeRuleset(s));
  assert.ok(body.startsWith("*filter\n:WHARF-FORWARD - [0:0]\n:WHARF-INPUT - [0:0]\n"));
  assert.ok(!body.includes("COMMIT"), "the applier commits after adding missing jumps");
});

test("bad addresses, ports and interface names are refused", () => {
  assert.throws(() => nodeRuleset(spec({ internal: ["10.0.0.300"] })), /not an IPv4/);
  assert.throws(() => nodeRuleset(spec({ internal: ["10.0.0.0/33"] })), /not an IPv4/);
  assert.throws(() => nodeRuleset(spec({ open: [{ address: "10.0.0.1", port: 70000 }] })), /out of range/);
  assert.throws(() => nodeRuleset(spec({ ingressOnly: ["docker0 -j ACCEPT"] })), /not an interface/);
});

test("the reader tells enforced, stale and missing walls apart from iptables-save output", () => {
  const r = nodeRuleset(spec());
  // As iptables-save prints it: /32 dropped on conntrack, reject type spelled out, jumps elsewhere.
  const saved = [
    "*filter",
    ":INPUT ACCEPT [0:0]",
    ":DOCKER-USER - [0:0]",
    ":WHARF-FORWARD - [0:0]",
    ":WHARF-INPUT - [0:0]",
    "-A INPUT -j WHARF-INPUT",
    "-A DOCKER-USER -j WHARF-FORWARD",
    "-A DOCKER-USER -j RETURN",
    ...r.forward.map((l) =>
      l
        .replace(/--ctorigdst (\S+)\/32/, "--ctorigdst $1")
        .replace(/-j REJECT$/, "-j REJECT --reject-with icmp-port-unreachable"),
    ),
    ...r.input,
    "COMMIT",
  ].join("\n");
  const state = parseWallState(saved);
  assert.equal(state.forward.digest, r.digest);
  assert.equal(wallStatus(state, r), "enforced");
  assert.equal(wallStatus(state, nodeRuleset(spec({ open: [] }))), "stale");
  assert.equal(
    wallStatus(parseWallState(saved.replace("-A DOCKER-USER -j WHARF-FORWARD\n", "")), r),
    "missing",
  );
  assert.equal(wallStatus(parseWallState(saved.replace(/-A WHARF-INPUT .*\n/g, "")), r), "missing");
  assert.equal(wallStatus(parseWallState("*filter\nCOMMIT\n"), r), "missing");
});
