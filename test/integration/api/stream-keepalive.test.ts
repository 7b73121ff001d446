// src/api/stream.ts over real HTTP: a long operation that goes quiet gets keep-alive lines as
// tsuru writes them (an empty line in x-json-stream, "please wait..." in the deploy text stream,
// after a newline when the last byte was not one), so a proxy's idle timeout never cuts it; and a
// held stream (node-remove for tsuru's client) answers its failure as a status, not a 200.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import Fastify, { type FastifyInstance } from "fastify";
import { request } from "undici";
import { ServiceUnavailableError } from "../../../src/domain/errors.js";
import { jsonStream, textStream } from "../../../src/api/stream.js";
import { errorHandler } from "../../../src/api/errors.js";

let app: FastifyInstance;
let base = "";
/** The operation of the next request waits on this until the test lets it go. */
let release: () => void = () => undefined;
const gate = () => new Promise<void>((r) => (release = r));

before(async () => {
  app = Fastify();
  app.setErrorHandler(errorHandler(1024 * 1024));
  // Keep-alives after 20 ms of silence instead of tsuru's 30 s.
  app.decorate("streamKeepAliveMs", 20);
  app.get("/json", (_req, reply) =>
    jsonStream(reply, async (out) => {
      out("building\n");
      await gate();
      out("done\n");
    }),
  );
  app.get("/text", (_req, reply) =>
    textStream(reply, async (out, started) => {
      started("0123456789abcdef01234567");
      out("step 1");
      await gate();
      out("done\n");
    }),
  );
  app.get("/held-fails", (_req, reply) =>
    jsonStream(
      reply,
      async (out) => {
        out("moving units\n");
        throw new ServiceUnavailableError("2 unit(s) are still on node X: run node remove again to finish.");
      },
      { hold: true },
    ),
  );
  app.get("/held-ok", (_req, reply) =>
    jsonStream(
      reply,
      async (out) => {
        out("moved\n");
        out("removed\n");
      },
      { hold: true },
    ),
  );
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
after(() => app.close());

/** Reads the body as it comes; lets the operation finish once `until` matches what arrived. */
async function read(path: string, until: RegExp) {
  const res = await request(`${base}${path}`);
  let text = "";
  let released = false;
  for await (const chunk of res.body) {
    text += String(chunk);
    if (!released && until.test(text)) {
      released = true;
      release();
    }
  }
  return { status: res.statusCode, headers: res.headers, text };
}

test("a quiet x-json-stream gets empty keep-alive lines, which tsuru's client skips", async () => {
  const r = await read("/json", /\n\n\n/);
  assert.equal(r.status, 200);
  assert.match(String(r.headers["content-type"]), /application\/x-json-stream/);
  assert.match(
    r.text,
    /^\{"Message":"building\\n","Timestamp":"[^"]+"\}\n(\n)+\{"Message":"done\\n","Timestamp":"[^"]+"\}\n$/,
  );
  const messages = r.text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { Message: string }).Message);
  assert.deepEqual(messages, ["building\n", "done\n"]);
});

test('a quiet deploy text stream gets "please wait..." lines, after a newline when one was missing', async () => {
  const r = await read("/text", /please wait\.\.\.\nplease wait\.\.\.\n/);
  assert.equal(r.status, 200);
  assert.equal(r.headers["x-tsuru-eventid"], "0123456789abcdef01234567");
  assert.match(r.text, /^step 1\n(please wait\.\.\.\n){2,}done\n\nOK\n$/);
});

test("a held stream that fails answers the failure's status and sentence, not a 200", async () => {
  const r = await read("/held-fails", /$^/);
  assert.equal(r.status, 503);
  assert.match(String(r.headers["content-type"]), /^text\/plain/);
  assert.equal(r.text, "2 unit(s) are still on node X: run node remove again to finish.\n");
  const ok = await read("/held-ok", /$^/);
  assert.equal(ok.status, 200);
  assert.deepEqual(
    ok.text
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { Message: string }).Message),
    ["moved\n", "removed\n"],
  );
});
