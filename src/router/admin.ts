// The admin port: Prometheus metrics and a liveness probe, kept off the data ports so apps' hosts
// can never expose router internals.
import { createServer, type Server } from "node:http";
import type { Listen } from "./config.js";

export async function startAdmin(
  listen: Listen,
  metrics: () => Promise<string>,
  contentType: string,
): Promise<Server> {
  const s = createServer((req, res) => {
    if (req.url === "/metrics") {
      metrics().then(
        (text) => {
          res.writeHead(200, { "content-type": contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end("metrics unavailable\n");
        },
      );
      return;
    }
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok\n");
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("not found: try /metrics or /healthz\n");
  });
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(listen.port, listen.host ?? "127.0.0.1", () => resolve());
  });
  return s;
}
