import { createRouter } from "../../src/router/index.js";
const r = createRouter({ domain: "bench.local", http: { port: 18093, host: "127.0.0.1" } });
await r.listen();
r.snapshot({ apps: [{ app: "bench", backends: [{ id: "b1", host: "127.0.0.1", port: 18091 }] }] });
setTimeout(() => {
  void r.close().then(() => process.exit(0));
}, 9000);
