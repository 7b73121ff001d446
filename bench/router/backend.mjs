// The benchmark's backend: a small, fast node:http server answering a fixed 13-byte body.
// Run as its own process so it never shares an event loop with what is being measured.
import { Buffer } from "node:buffer";
import { createServer } from "node:http";

const body = Buffer.from("Hello, Wharf!");
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { "content-type": "text/plain", "content-length": body.length });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.send?.({ port: server.address().port });
  console.log(`backend listening on ${server.address().port}`);
});
