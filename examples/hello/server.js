// Wharf's example app: answers with which unit served the request, so a few reloads show
// the router spreading requests across units.
const http = require("http");
const os = require("os");

const started = new Date().toISOString();
http
  .createServer((req, res) => {
    if (req.url === "/healthcheck") return res.end("ok\n");
    // One line per request in the app's log (`wharf app log -f` shows it as it happens).
    console.log(`${req.method} ${req.url}`);
    res.setHeader("content-type", "text/plain; charset=utf-8");
    res.end(
      `Hello from Wharf!\napp: ${process.env.WHARF_APPNAME}\nunit: ${os.hostname()}\n` +
        `version: ${process.env.WHARF_APPVERSION}\nstarted: ${started}\n`,
    );
  })
  .listen(process.env.PORT || 8888);
process.on("SIGTERM", () => process.exit(0));
