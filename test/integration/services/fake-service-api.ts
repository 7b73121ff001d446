// A small real tsuru service API (reference §6) on 127.0.0.1 for the tests: it records every
// request and can be told to misbehave (500, malformed JSON, 412, hang) per path.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  path: string;
  auth: string;
  fields: URLSearchParams;
}

export type Fault = "500" | "malformed" | "412" | "hang" | "404";

export interface FakeServiceApi {
  url: string;
  seen: Seen[];
  faults: Map<string, Fault>;
  bindEnv: Record<string, string>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function fakeServiceApi(): Promise<FakeServiceApi> {
  const seen: Seen[] = [];
  const faults = new Map<string, Fault>();
  const api: Partial<FakeServiceApi> = {
    seen,
    faults,
    bindEnv: { DB_URL: "mysql://u:s3cret-pass@db:3306/x" },
  };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const u = new URL(req.url ?? "/", "http://x");
      const text = await body(req);
      const fields = new URLSearchParams(req.method === "GET" ? u.search : text);
      seen.push({
        method: req.method ?? "",
        path: u.pathname,
        auth: req.headers.authorization ?? "",
        fields,
      });
      const key = `${req.method} ${u.pathname}`;
      const fault = faults.get(key);
      if (fault === "hang") return; // never answers
      if (fault === "500") return void res.writeHead(500).end("database exploded");
      if (fault === "412") return void res.writeHead(412).end("not ready");
      if (fault === "404") return void res.writeHead(404).end("no such thing");
      if (fault === "malformed") return void res.writeHead(200).end('{"DB_URL": "mysql://u:s3cret-pass@');
      if (u.pathname === "/resources/plans")
        return void res.writeHead(200).end(JSON.stringify([{ name: "small", description: "a small db" }]));
      if (req.method === "POST" && u.pathname === "/resources") return void res.writeHead(201).end("");
      if (u.pathname.endsWith("/bind-app") && req.method === "POST")
        return void res.writeHead(201).end(JSON.stringify(api.bindEnv));
      if (u.pathname.endsWith("/status")) return void res.writeHead(204).end();
      if (req.method === "GET" && /^\/resources\/[^/]+$/.test(u.pathname))
        return void res.writeHead(200).end(JSON.stringify([{ label: "Address", value: "10.0.0.9" }]));
      res.writeHead(200).end("");
    })();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return api as FakeServiceApi;
}
