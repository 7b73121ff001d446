#!/usr/bin/env node
// The folder-level dependency check `npm run build` runs (issue 15): madge checks files, so a
// cycle through several folders passes it; this checks the graph of src/ folders.
//  - a folder is a top-level folder of src/ ("api", "deploy", ...), except the sub-folders
//    named in SPLIT, which count on their own: the domain's pure rules (domain) apart from its
//    use cases (domain/services), the broker clients (services) apart from the built-in
//    services that run on the nodes (services/builtin), each adapter and provisioner;
//  - every import between two folders is an edge (type-only imports too: the layering is
//    about what a folder knows, not what survives compilation);
//  - the build fails on any cycle between folders, naming one path of it, and on each import
//    in a forbidden direction (FORBIDDEN), naming the file and the rule, and on an external
//    client (dockerode, pg, fastify, ...) imported outside its adapter (EXTERNAL).
// Usage: node scripts/check-layers.mjs [root] (root defaults to src).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const root = resolve(process.argv[2] ?? "src");

/** Sub-folders that are folders of their own in the graph. */
const SPLIT = [
  "domain/services",
  "services/builtin",
  "provision/docker",
  "cluster/docker",
  "cluster/kubernetes",
  "cluster/tls",
  "cluster/nodes",
  "cluster/health",
  "cluster/dev",
];

/**
 * [from, to, why]: `from` may not import `to` (folder names as above; "*" = any folder).
 * The domain knows no adapter, no HTTP and no running side; adapters know no layer above them;
 * only the composition root (server) and the CLI know the API layer.
 */
const DOMAIN_RULES = [
  ["api", "the domain knows no HTTP layer"],
  ["server", "the domain knows no composition root"],
  ["cluster/docker", "the domain imports no adapter"],
  ["cluster/kubernetes", "the domain imports no adapter"],
  ["provision/docker", "the domain asks the pool's provisioner (src/provision), not the docker one"],
  ["services/builtin", "the domain reaches built-in services through its port"],
  ["deploy", "the domain reaches deploys through its RuntimePort"],
  ["reconcile", "the domain knows no reconciler"],
];
const FORBIDDEN = [
  ...DOMAIN_RULES.flatMap(([to, why]) => [
    ["domain", to, why],
    ["domain/services", to, why],
  ]),
  ["domain", "domain/services", "the domain's rules are pure: they know no use case"],
  ["deploy", "provision/docker", "deploys ask the pool's provisioner (src/provision/registry.ts)"],
  ["deploy", "api", "the deploy pipeline knows no HTTP layer"],
  ["reconcile", "api", "reconcilers know no HTTP layer"],
  ["provision", "api", "provisioners know no HTTP layer"],
  ["provision/docker", "api", "provisioners know no HTTP layer"],
  ["provision/docker", "deploy", "the provisioner is below the deploy pipeline"],
  [
    "cluster/docker",
    "*",
    "the engine adapter depends on no other Wharf folder but its TLS material",
    ["util", "cluster/tls"],
  ],
  ["scheduler", "*", "the scheduler is pure: it imports only the domain's pure rules", ["domain"]],
  ["store", "api", "the store knows no HTTP layer"],
  ["store", "deploy", "the store knows no deploy pipeline"],
  ["store", "provision", "the store knows no provisioner"],
  ["store", "provision/docker", "the store knows no provisioner"],
  ["router", "api", "the router knows no HTTP API layer"],
  ["api", "server", "the composition root assembles the API, not the other way round"],
];

/** External clients and the folders that may import them (eslint's no-restricted-imports says the same). */
const EXTERNAL = {
  dockerode: ["cluster/docker"],
  pg: ["store"],
  "better-sqlite3": ["store"],
  fastify: ["api", "server"],
  "@fastify/": ["api", "server"],
  "@kubernetes/client-node": ["cluster/kubernetes"],
};

function walk(dir) {
  let out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/** The graph folder of a path inside root ("" for files directly in root). */
function folderOf(file) {
  const rel = relative(root, file).split(sep).join("/");
  const split = SPLIT.find((s) => rel === s || rel.startsWith(`${s}/`));
  if (split) return split;
  return rel.includes("/") ? rel.split("/")[0] : "";
}

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;

const edges = new Map(); // from → Map(to → first file:line)
const violations = [];
for (const file of walk(root)) {
  const from = folderOf(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    if (!spec.startsWith(".")) {
      const pkg = Object.keys(EXTERNAL).find((k) => spec === k || (k.endsWith("/") && spec.startsWith(k)));
      if (pkg && !EXTERNAL[pkg].includes(from)) {
        const line = text.slice(0, m.index).split("\n").length;
        violations.push(
          `${relative(process.cwd(), file)}:${line}: ${from || "src"} imports ${spec}: only ${EXTERNAL[pkg].join(", ")} may (one adapter per external system)`,
        );
      }
      continue;
    }
    const target = resolve(dirname(file), spec);
    if (!target.startsWith(root + sep)) continue;
    const to = folderOf(target);
    if (to === from || to === "" || from === "") continue;
    const line = text.slice(0, m.index).split("\n").length;
    const where = `${relative(process.cwd(), file)}:${line}`;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, where);
    for (const [f, t, why, allowed] of FORBIDDEN) {
      if (f !== from) continue;
      if (t === to || (t === "*" && !(allowed ?? []).includes(to)))
        violations.push(`${where}: ${from} imports ${to} (${spec}): ${why}`);
    }
  }
}

// Cycles: Tarjan's strongly connected components, then one cycle path inside each.
let index = 0;
const idx = new Map();
const low = new Map();
const stack = [];
const on = new Set();
const sccs = [];
function strong(v) {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  on.add(v);
  for (const w of edges.get(v)?.keys() ?? []) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const c = [];
    let w;
    do {
      w = stack.pop();
      on.delete(w);
      c.push(w);
    } while (w !== v);
    if (c.length > 1) sccs.push(c);
  }
}
for (const v of edges.keys()) if (!idx.has(v)) strong(v);

/** A shortest path from a back to a through the component (breadth first). */
function cycleThrough(c) {
  const inC = new Set(c);
  const start = c[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!inC.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let p = prev.get(v); p !== null; p = prev.get(p)) path.unshift(p);
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return c;
}

for (const c of sccs) {
  const path = cycleThrough(c);
  const steps = path
    .slice(0, -1)
    .map((f, i) => `  ${f} → ${path[i + 1]}  (${edges.get(f).get(path[i + 1])})`);
  violations.push(`folder cycle through ${c.sort().join(", ")}:\n${steps.join("\n")}`);
}

if (process.env.CHECK_LAYERS_GRAPH)
  for (const [f, m] of [...edges].sort()) console.log(`${f} → ${[...m.keys()].sort().join(" ")}`);
if (violations.length) {
  console.error(`check-layers: ${violations.length} problem(s) in ${relative(process.cwd(), root)}/\n`);
  for (const v of violations) console.error(`${v}\n`);
  console.error("Fix the import (move the code to the folder it belongs to, or pass what it needs in).");
  process.exit(1);
}
const n = [...edges.values()].reduce((a, m) => a + m.size, 0);
console.log(`check-layers: ${edges.size} folders, ${n} folder dependencies, no cycle, no forbidden import`);
