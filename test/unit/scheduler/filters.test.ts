// Swarm filter vectors (swarm-classic.md §3 and §8 statements 13–24, 26).
import { test } from "node:test";
import assert from "node:assert/strict";
import { NO_HEALTHY_NODE, UNABLE_TO_FIND } from "../../../src/scheduler/index.js";
import { cluster, fails, nodes, run } from "./helpers.js";

test("health: unhealthy nodes are skipped; none healthy gives Swarm's health error", () => {
  const { state, sched } = cluster(nodes(2, (i) => ({ health: i === 0 ? 0 : 100 })));
  assert.equal(run(sched), "node-1");
  state.setHealth("node-1", 0);
  assert.deepEqual(fails(sched), { kind: "no-healthy-node", message: NO_HEALTHY_NODE, filters: ["health"] });
  state.setHealth("node-0", 34);
  assert.equal(run(sched), "node-0");
});

test("constraint: node== matches the node id or its name", () => {
  const { sched } = cluster(nodes(3, (i) => ({ id: `d${i}|10.0.0.${i}:2376`, name: `node-${i}` })));
  assert.equal(run(sched, { constraints: ["node==node-1"] }), "d1|10.0.0.1:2376");
  assert.equal(run(sched, { constraints: ["node==d2*"] }), "d2|10.0.0.2:2376");
  // "|" is regexp alternation even in a glob: ^d9|.*$ matches every node.
  assert.equal(run(sched, { constraints: ["node==d9|*"] }), "d0|10.0.0.0:2376");
});

test("constraint: engine labels and metadata select nodes; != excludes; a missing label is ''", () => {
  const { sched } = cluster(
    nodes(3, (i) => ({
      labels: i < 2 ? { foo: i === 0 ? "a" : "b" } : ({} as Record<string, string>),
      metadata: { zone: `z${i}` },
    })),
  );
  assert.equal(run(sched, { constraints: ["foo==b"] }), "node-1");
  assert.equal(run(sched, { constraints: ["foo==a"] }), "node-0");
  assert.equal(run(sched, { constraints: ["zone==z2"] }), "node-2");
  // node-2 has no foo label: "foo!=a" passes there and on node-1.
  const seen = new Set([run(sched, { constraints: ["foo!=a"] }), run(sched, { constraints: ["foo!=a"] })]);
  assert.deepEqual(seen, new Set(["node-1", "node-2"]));
});

test("constraint: globs and regexps over engine spec labels", () => {
  const { sched } = cluster(
    nodes(2, (i) => ({ labels: { kernelversion: i === 0 ? "3.13.0-generic" : "5.10.0-20-amd64" } })),
  );
  assert.equal(run(sched, { constraints: ["kernelversion==5.*"] }), "node-1");
  assert.equal(run(sched, { constraints: ["kernelversion==/generic$/"] }), "node-0");
});

test("constraint failure names the filters up to the failing one in Swarm's wording", () => {
  const { sched } = cluster(nodes(2));
  assert.deepEqual(fails(sched, { constraints: ["node==node-9"] }), {
    kind: "filters",
    message: `${UNABLE_TO_FIND}\n[available container slots]\n[node==node-9]`,
    filters: ["health", "port", "containerslots", "dependency", "affinity", "constraint"],
  });
  const e = fails(sched, { constraints: ["zone==a", "node!=~x"], portBindings: [{ hostPort: "80" }] });
  assert.equal(
    e.message,
    `${UNABLE_TO_FIND}\n[port 80 (Bridge mode)]\n[available container slots]\n[zone==a node!=x]`,
  );
});

test("soft constraint that no node satisfies falls back to the hard pass", () => {
  const { sched } = cluster(nodes(2));
  const r = sched.place({ constraints: ["storagedriver==~not_exist", "node==node-0"] });
  assert.ok(r.ok);
  assert.equal(r.value.nodeId, "node-0");
  assert.equal(r.value.softFallback, true);
});

test("a satisfiable soft constraint is honoured without fallback", () => {
  const { sched } = cluster(nodes(3));
  const r = sched.place({ constraints: ["node==~node-2"] });
  assert.ok(r.ok);
  assert.deepEqual([r.value.nodeId, r.value.softFallback], ["node-2", false]);
});

test("a soft constraint selecting a node that is too small falls back to one with room", () => {
  const { sched } = cluster(nodes(2, (i) => ({ memory: i === 0 ? 1024 : 8 * 1024 ** 3 })));
  assert.equal(run(sched, { memory: 1024 ** 3, constraints: ["node==~node-0"] }), "node-1");
});

test("a hard constraint is never relaxed by the fallback", () => {
  const { sched } = cluster(nodes(2, (i) => ({ memory: i === 0 ? 1024 : 8 * 1024 ** 3 })));
  assert.equal(fails(sched, { memory: 1024 ** 3, constraints: ["node==node-0"] }).kind, "no-resources");
});

const withContainers = nodes(2, (i) =>
  i === 1
    ? {
        containers: [
          { id: "f00dbeef00000000", name: "/c1", image: "test", labels: { "test.label": "true" } },
        ],
        images: [{ id: "sha256:abc", repoTags: ["test:latest", "localhost:5000/test:v1"] }],
      }
    : { images: [{ id: "sha256:bb", repoTags: ["busybox:latest"] }] },
);

test("affinity on container name or id", () => {
  const { sched } = cluster(withContainers);
  assert.equal(run(sched, { affinities: ["container==c1"] }), "node-1");
  assert.equal(run(sched, { affinities: ["container==f00dbeef*"] }), "node-1");
  assert.equal(run(sched, { affinities: ["container!=c1"] }), "node-0");
});

test("affinity on image id, tag and repository (registry-qualified too)", () => {
  const { sched } = cluster(withContainers);
  assert.equal(run(sched, { affinities: ["image==test"] }), "node-1");
  assert.equal(run(sched, { affinities: ["image==test:latest"] }), "node-1");
  assert.equal(run(sched, { affinities: ["image==localhost:5000/test"] }), "node-1");
  assert.equal(run(sched, { affinities: ["image==sha256:bb"] }), "node-0");
  assert.equal(run(sched, { affinities: ["image!=test"] }), "node-0");
});

test("affinity on a container label; containers without it contribute ''", () => {
  const { sched } = cluster(withContainers);
  assert.equal(run(sched, { affinities: ["test.label==true"] }), "node-1");
  assert.equal(run(sched, { affinities: ["test.label!=true"] }), "node-0");
});

test("soft affinity that cannot hold falls back while the hard one still applies", () => {
  const { sched } = cluster(withContainers);
  assert.equal(run(sched, { affinities: ["image==~not_exist", "image==test"] }), "node-1");
});

test("committed (pending) containers count for affinity: the third anti-affine container fails", () => {
  const { sched } = cluster(nodes(2));
  const req = { labels: { "test.label": "true" }, affinities: ["test.label!=true"] };
  assert.notEqual(run(sched, req), run(sched, req));
  const e = fails(sched, req);
  assert.equal(e.kind, "filters");
  assert.equal(e.message, `${UNABLE_TO_FIND}\n[available container slots]\n[test.label!=true (soft=false)]`);
});

test("port, bridge mode: the third -p 80:80 on two nodes fails naming the port", () => {
  const { sched } = cluster(nodes(2));
  const req = { portBindings: [{ hostPort: "80" }] };
  assert.notEqual(run(sched, req), run(sched, req));
  const lines = fails(sched, req).message.split("\n");
  assert.equal(lines[0], UNABLE_TO_FIND);
  assert.equal(lines[1], "[port 80 (Bridge mode)]");
});

test("port, bridge mode: distinct host IPs don't clash, all-interfaces does, empty HostPort never does", () => {
  const { sched } = cluster(nodes(1));
  run(sched, { portBindings: [{ hostPort: "80", hostIp: "10.0.0.1" }] });
  run(sched, { portBindings: [{ hostPort: "80", hostIp: "10.0.0.2" }] });
  assert.equal(fails(sched, { portBindings: [{ hostPort: "80", hostIp: "0.0.0.0" }] }).kind, "filters");
  assert.equal(fails(sched, { portBindings: [{ hostPort: "80", hostIp: "10.0.0.1" }] }).kind, "filters");
  run(sched, { portBindings: [{ hostPort: "" }] });
  run(sched, { portBindings: [{ hostPort: "" }] });
});

test("port, host mode: the third --net=host --expose=80 on two nodes fails", () => {
  const { sched } = cluster(nodes(2));
  const req = { hostNetwork: true, exposedPorts: ["80/tcp"] };
  assert.notEqual(run(sched, req), run(sched, req));
  assert.equal(fails(sched, req).message.split("\n")[1], "[port 80/tcp (Host mode)]");
  // Bridge-mode bindings and host-mode ports are separate spaces.
  run(sched, { portBindings: [{ hostPort: "80" }] });
});

test("containerslots: two nodes with 2 slots take four containers and refuse the fifth", () => {
  const { sched } = cluster(nodes(2, () => ({ labels: { containerslots: "2" } })));
  for (let k = 0; k < 4; k++) run(sched);
  const e = fails(sched);
  assert.equal(e.message, `${UNABLE_TO_FIND}\n[available container slots]`);
});

test("containerslots: stopped/other containers count; a missing or non-integer label means no limit", () => {
  const { sched } = cluster([
    { id: "full", cpus: 4, memory: 1e10, labels: { containerslots: "1" }, containers: [{ id: "x" }] },
    { id: "foo", cpus: 4, memory: 1e10, labels: { containerslots: "foo" } },
  ]);
  for (let k = 0; k < 5; k++) assert.equal(run(sched), "foo");
});

test("dependency: --volumes-from, --link and --net=container: follow the container", () => {
  const { sched } = cluster(
    nodes(3, (i) => (i === 2 ? { containers: [{ id: "0123456789abcdef", name: "/b1" }] } : {})),
  );
  assert.equal(run(sched, { volumesFrom: ["/b1"] }), "node-2");
  assert.equal(run(sched, { volumesFrom: ["b1:ro"] }), "node-2");
  assert.equal(run(sched, { volumesFrom: ["/b1:rw"] }), "node-2");
  assert.equal(run(sched, { links: ["/b1:foo"] }), "node-2");
  assert.equal(run(sched, { netContainer: "/b1" }), "node-2");
  assert.equal(run(sched, { netContainer: "0123456789ab" }), "node-2");
});

test("dependency: a missing container fails naming the dependencies", () => {
  const { sched } = cluster(nodes(2));
  const e = fails(sched, { volumesFrom: ["/nope:ro"], links: ["/b2:x"], netContainer: "c" });
  assert.equal(
    e.message,
    `${UNABLE_TO_FIND}\n[available container slots]\n[--volumes-from=/nope:ro --link=/b2:x --net=container:c]`,
  );
});

test("whitelist: the node name must equal one of the |-separated values", () => {
  const { sched } = cluster(nodes(3));
  assert.equal(run(sched, { whitelists: ["node==node-2|node-9"] }), "node-2");
  assert.equal(fails(sched, { whitelists: ["nodes==node-7"] }).kind, "filters");
});

test("filter selection: unknown names are refused, omitted filters do not apply", () => {
  assert.throws(
    () => cluster(nodes(1), { filters: ["health", "nope" as "health"] }),
    /unknown scheduler filter/,
  );
  const { sched } = cluster(nodes(1), { filters: ["health", "constraint"] });
  run(sched, { portBindings: [{ hostPort: "80" }] });
  run(sched, { portBindings: [{ hostPort: "80" }] });
  assert.equal(fails(sched, { constraints: ["node==x"] }).message, `${UNABLE_TO_FIND}\n[node==x]`);
});
