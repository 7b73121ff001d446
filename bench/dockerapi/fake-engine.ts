// A FAKE Docker Engine API (a stand-in, named as such): N "nodes" as N HTTPS listeners on
// 127.0.0.1 with Wharf's mutual TLS, each answering just what the endpoint asks of a node
// (_ping, info, version, containers/json, images/json, a held-open /events, create, start,
// inspect) with containers made up per node. It exists only because 1,000 real dockerds do
// not fit on one machine; the endpoint's own code is the real one. Run as a child process:
//   node --import tsx bench/dockerapi/fake-engine.ts <tls-dir> <nodes> <containers-per-node> <team>
// It prints one JSON line {"ports":[...]} once every listener is up.
import https from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { fakeId, fakeSid } from "./fake-ids.js";

const [dir, nodesArg, perNodeArg, team] = process.argv.slice(2);
const nodes = Number(nodesArg);
const perNode = Number(perNodeArg);
const tls = {
  ca: readFileSync(join(dir!, "ca.pem")),
  cert: readFileSync(join(dir!, "server.pem")),
  key: readFileSync(join(dir!, "server-key.pem")),
  requestCert: true,
  rejectUnauthorized: true,
};

const IMAGE = {
  Id: "sha256:" + "b".repeat(64),
  RepoTags: ["busybox:latest"],
  RepoDigests: [],
  Created: 1_700_000_000,
  Size: 2_000_000,
  VirtualSize: 2_000_000,
  SharedSize: 0,
  Labels: {},
  Containers: 0,
  ParentId: "",
};

function summary(node: number, id: string, sid: string, created: number) {
  return {
    Id: id,
    Names: [`/wd.${sid.slice(0, 16)}`],
    Image: "busybox",
    ImageID: IMAGE.Id,
    Command: "sleep 1000",
    Created: created,
    Ports: [],
    Labels: { "wharf.docker.team": team, "com.docker.swarm.id": sid },
    State: "running",
    Status: "Up 5 minutes",
    HostConfig: { NetworkMode: "default" },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

function serve(node: number) {
  const containers = new Map<string, ReturnType<typeof summary>>();
  for (let i = 0; i < perNode; i++)
    containers.set(fakeId(node, i), summary(node, fakeId(node, i), fakeSid(node, i), 1_700_000_000 + i));
  let seq = 0;
  const server = https.createServer(tls, (req, res) => {
    const url = new URL(req.url ?? "/", "https://fake");
    const path = url.pathname.replace(/^\/v\d+\.\d+/, "");
    const json = (status: number, body: unknown) => {
      const data = JSON.stringify(body);
      res.writeHead(status, { "Content-Type": "application/json", "Api-Version": "1.41" });
      res.end(data);
    };
    if (path === "/_ping") return res.writeHead(200, { "Api-Version": "1.41" }).end("OK");
    if (path === "/info")
      return json(200, {
        ID: `FAKE:${node}`,
        Name: `fake-${node}`,
        NCPU: 4,
        MemTotal: 8 * 2 ** 30,
        Driver: "overlay2",
        OSType: "linux",
        KernelVersion: "fake",
        OperatingSystem: "fake",
        Labels: [],
      });
    if (path === "/version") return json(200, { Version: "20.10.24", ApiVersion: "1.41" });
    if (path === "/images/json") return json(200, [IMAGE]);
    if (path === "/events") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.flushHeaders();
      return;
    }
    if (path === "/containers/json") {
      const f = url.searchParams.get("filters");
      const ids = f ? ((JSON.parse(f) as { id?: string[] }).id ?? null) : null;
      const all = [...containers.values()];
      return json(200, ids ? all.filter((c) => ids.includes(c.Id)) : all);
    }
    if (path === "/containers/create" && req.method === "POST") {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const labels = (JSON.parse(body) as { Labels?: Record<string, string> }).Labels ?? {};
        const id = fakeId(node, perNode + ++seq);
        containers.set(id, {
          ...summary(node, id, labels["com.docker.swarm.id"] ?? "", Math.floor(Date.now() / 1000)),
          State: "created",
          Status: "Created",
        });
        json(201, { Id: id, Warnings: [] });
      });
      return;
    }
    const start = /^\/containers\/([0-9a-f]+)\/start$/.exec(path);
    if (start && req.method === "POST") {
      const c = containers.get(start[1]!);
      if (!c) return json(404, { message: `No such container: ${start[1]}` });
      containers.set(c.Id, { ...c, State: "running", Status: "Up Less than a second" });
      return res.writeHead(204).end();
    }
    json(404, { message: `fake engine: ${req.method} ${path} not faked` });
  });
  return new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

const ports: number[] = [];
for (let n = 0; n < nodes; n++) ports.push(await serve(n));
process.stdout.write(JSON.stringify({ ports }) + "\n");
