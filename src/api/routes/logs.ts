// tsuru's app log routes: GET /apps/{app}/log (history, then followed lines as one-element
// JSON arrays, reference §1.7c) and POST /apps/{app}/log (write lines).
import type { FastifyInstance } from "fastify";
import type { AppLogRecord } from "../../store/types.js";
import type { Ctx } from "../../domain/services/context.js";
import { encodeChunk } from "../../logs/entry.js";
import type { LogHub } from "../../logs/hub.js";
import { addAppLog, streamAppLog } from "../../logs/service.js";
import { principal } from "../auth.js";
import { Input } from "../input.js";
import { hijackForStream } from "../stream.js";
import { doc, input, param } from "./util.js";

/** An idle follow stream gets an empty array this often, so proxies and clients keep it open. */
const KEEPALIVE_MS = 30_000;
/** A follower that stops reading is dropped once this much output waits for it. */
const MAX_BUFFERED = 8 * 1024 * 1024;

export function logRoutes(app: FastifyInstance, ctx: Ctx, hub: LogHub): void {
  // Follow streams never end on their own: the server's close ends them first.
  const open = new Set<AbortController>();
  app.addHook("preClose", async () => {
    for (const ac of open) ac.abort();
  });

  app.get(
    "/apps/:app/log",
    {
      schema: doc("apps", "App log lines: the newest N, then (follow=1) new lines as they come", {
        params: { app: "app name" },
        query: {
          lines: "int (mandatory)",
          source: "process",
          unit: "unit id",
          follow: "1 to keep streaming",
        },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      const ac = new AbortController();
      const raw = reply.raw;
      let started = false;
      let keepalive: NodeJS.Timeout | undefined;
      const send = (lines: AppLogRecord[]): void => {
        if (!started) {
          started = true;
          hijackForStream(reply);
          keepalive = setInterval(() => raw.write("[]\n"), KEEPALIVE_MS);
          keepalive.unref();
        }
        raw.write(encodeChunk(lines));
        if (raw.writableLength > MAX_BUFFERED) ac.abort();
      };
      raw.once("close", () => ac.abort());
      open.add(ac);
      try {
        await streamAppLog(
          ctx,
          hub,
          p,
          param(req, "app"),
          { lines: i.str("lines"), source: i.str("source"), unit: i.str("unit"), follow: i.bool("follow") },
          send,
          ac.signal,
        );
      } catch (err) {
        if (!started) throw err;
        req.log.warn({ err }, "log stream ended by an error");
      } finally {
        open.delete(ac);
        clearInterval(keepalive);
      }
      if (started) raw.end();
    },
  );

  app.post(
    "/apps/:app/log",
    {
      schema: doc("apps", "Write lines to an app's log", {
        params: { app: "app name" },
        body: { message: "repeated line", source: 'default "app"', unit: "unit id" },
      }),
    },
    async (req, reply) => {
      // tsuru 1.0 sent a JSON array of lines with source and unit in the query; later a form.
      const body = req.body;
      const fromArray = Array.isArray(body);
      const i = new Input(fromArray ? undefined : body, req.query);
      const messages = fromArray
        ? (body as unknown[]).map((m) => (typeof m === "string" ? m : JSON.stringify(m)))
        : i.list("message");
      await addAppLog(ctx, hub, principal(req), param(req, "app"), {
        messages,
        source: i.str("source"),
        unit: i.str("unit"),
      });
      return reply.code(200).send();
    },
  );
}
