// Notes in PostgreSQL. Bind a built-in PostgreSQL instance to the app and it uses the
// DATABASE_URL the bind gives:
//   wharf service instance add postgresql notes-db -t <team>
//   wharf service instance bind postgresql notes-db -a <app>
// GET /notes lists the notes, POST /notes (the body is the text) adds one, GET /status says
// which services are bound (names only, never values).
const http = require("http");
const { Pool } = require("pg");

const pool = process.env.DATABASE_URL
  ? new Pool({ connectionString: process.env.DATABASE_URL, max: 4, connectionTimeoutMillis: 5000 })
  : null;
// A connection the database dropped (it restarted) is an idle-client error: the pool opens a
// new one for the next query, so the app must not die of it.
if (pool) pool.on("error", (err) => console.error(`database connection lost: ${err.message}`));

let ready = null;
function schema() {
  ready ??= pool
    .query("CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text NOT NULL)")
    .catch((err) => {
      ready = null;
      throw err;
    });
  return ready;
}

function send(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (c) => {
      data += c;
      if (data.length > 64 * 1024) reject(new Error("note too long"));
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}

http
  .createServer(async (req, res) => {
    try {
      if (req.url === "/healthcheck") return send(res, 200, { ok: true });
      if (req.url === "/status")
        return send(res, 200, { database: !!process.env.DATABASE_URL, redis: !!process.env.REDIS_URL });
      if (req.url !== "/notes") return send(res, 404, { error: "not found" });
      if (!pool)
        return send(res, 503, { error: "no database bound: bind a postgresql instance to this app" });
      await schema();
      if (req.method === "POST") {
        const body = (await readBody(req)).trim();
        if (!body) return send(res, 400, { error: "send the note's text as the request body" });
        const r = await pool.query("INSERT INTO notes (body) VALUES ($1) RETURNING id", [body]);
        return send(res, 201, { id: r.rows[0].id });
      }
      const r = await pool.query("SELECT id, body FROM notes ORDER BY id");
      return send(res, 200, r.rows);
    } catch (err) {
      return send(res, 500, { error: err.message });
    }
  })
  .listen(process.env.PORT);
process.on("SIGTERM", () => setTimeout(() => process.exit(0), 200));
