// Deploys, versions, units, start/stop/restart and run (tsuru's routes). Registered only
// when the server runs a cluster (the deploy context exists).
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { DeployCtx } from "../../deploy/context.js";
import { deployApp } from "../../deploy/deploy.js";
import { listDeploys, rollbackApp } from "../../deploy/versions.js";
import { addUnits, removeUnits, restartApp, startApp, stopApp } from "../../deploy/unit-ops.js";
import { runCommand } from "../../deploy/run.js";
import { visibleApp } from "../../domain/services/app-read.js";
import { withEvent } from "../../domain/services/events.js";
import type { Principal } from "../../domain/services/principal.js";
import { BadRequestError } from "../../domain/errors.js";
import { Input } from "../input.js";
import { SpooledFile } from "../upload-spool.js";
import { principal } from "../auth.js";
import { jsonStream, textStream, type Out } from "../stream.js";
import { doc, input, list, param } from "./util.js";
import { gitRoutes } from "./git.js";

const APP = { app: "app name" };

/** The multipart `file` part, spooled to disk (kept out of Input, which reads text fields). */
function uploaded(req: FastifyRequest): { file?: Buffer | SpooledFile; fields: Input } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const { file, ...rest } = body;
  const f = Array.isArray(file) ? file[0] : file;
  if (f !== undefined && !Buffer.isBuffer(f) && !(f instanceof SpooledFile))
    throw new BadRequestError(
      "The file field must be a file part (multipart/form-data) holding a tar.gz archive.",
    );
  return { ...(f ? { file: f } : {}), fields: new Input(rest, req.query) };
}

/** Unit and lifecycle operations: app permission, then one locking event on the app. */
async function appOp(
  dc: DeployCtx,
  p: Principal,
  appName: string,
  scheme: string,
  data: unknown,
  out: Out,
  fn: (out: Out) => Promise<void>,
): Promise<void> {
  await visibleApp(dc.ctx, p, appName, scheme);
  await withEvent(
    dc.ctx.store,
    p,
    { kind: scheme, target: { type: "app", value: appName }, lock: true, data },
    { instanceId: dc.ctx.settings.instanceId },
    async (h) => {
      const say: Out = (line) => {
        out(line);
        void h.log(line).catch(() => undefined);
      };
      await fn(say);
    },
  );
}

function unitCount(i: Input): number {
  const raw = i.str("units").trim();
  if (!/^\d{1,4}$/.test(raw) || Number(raw) < 1)
    throw new BadRequestError(
      `Invalid number of units "${raw.slice(0, 20)}": use a whole number from 1 to 9999.`,
    );
  return Number(raw);
}

export function deployRoutes(app: FastifyInstance, dc: DeployCtx): void {
  // git push deploys run the same deploy service as uploads.
  gitRoutes(app, dc);
  app.post(
    "/apps/:app/deploy",
    {
      schema: doc(
        "deploy",
        "Deploy from a tar.gz (file), an image or a Dockerfile; streams text ending in OK",
        {
          params: APP,
          body: {
            file: "tar.gz",
            image: "image",
            dockerfile: "Dockerfile content",
            origin: "origin",
            message: "text",
          },
        },
      ),
    },
    async (req, reply) => {
      const { file, fields } = uploaded(req);
      const p = principal(req);
      const f = {
        app: param(req, "app"),
        ...(file ? { file } : {}),
        ...(fields.str("image") ? { image: fields.str("image") } : {}),
        ...(fields.str("dockerfile") ? { dockerfile: fields.str("dockerfile") } : {}),
        origin: fields.str("origin"),
        message: fields.str("message"),
      };
      return textStream(reply, (out, started) => deployApp(dc, p, f, { out, started }));
    },
  );
  app.get(
    "/deploys",
    {
      schema: doc("deploy", "Deploys of an app, newest first (204 when none)", {
        query: { app: "app", limit: "n", skip: "n" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const appName = i.str("app");
      if (!appName) throw new BadRequestError("You must give the app: /deploys?app=NAME.");
      const out = await listDeploys(dc, principal(req), appName, {
        limit: Math.min(Math.max(i.int("limit", 25), 1), 1000),
        skip: Math.max(i.int("skip", 0), 0),
      });
      return list(reply, out);
    },
  );
  app.post(
    "/apps/:app/deploy/rollback",
    {
      schema: doc("deploy", "Roll back to an earlier version (image or vN); streams", {
        params: APP,
        body: { image: "image or vN", origin: "rollback" },
      }),
    },
    async (req, reply) => {
      const p = principal(req);
      const ref = input(req).str("image");
      return jsonStream(reply, (out) => rollbackApp(dc, p, param(req, "app"), ref, out));
    },
  );
  app.put(
    "/apps/:app/units",
    { schema: doc("units", "Add units; streams", { params: APP, body: { units: "n", process: "process" } }) },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      const [name, n, proc] = [param(req, "app"), unitCount(i), i.str("process")];
      return jsonStream(reply, (out) =>
        appOp(dc, p, name, "app.update.unit.add", { units: n, process: proc }, out, async (say) =>
          addUnits(dc, await dc.ctx.store.getApp(name), proc, n, say),
        ),
      );
    },
  );
  app.delete(
    "/apps/:app/units",
    {
      schema: doc("units", "Remove units; streams", {
        params: APP,
        query: { units: "n", process: "process" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      const [name, n, proc] = [param(req, "app"), unitCount(i), i.str("process")];
      return jsonStream(reply, (out) =>
        appOp(dc, p, name, "app.update.unit.remove", { units: n, process: proc }, out, async (say) =>
          removeUnits(dc, await dc.ctx.store.getApp(name), proc, n, say),
        ),
      );
    },
  );
  const lifecycle = [
    ["start", "app.update.start", startApp],
    ["stop", "app.update.stop", stopApp],
    ["restart", "app.update.restart", restartApp],
  ] as const;
  for (const [verb, scheme, fn] of lifecycle) {
    app.post(
      `/apps/:app/${verb}`,
      {
        schema: doc("apps", `${verb} the app's units (all, or one process); streams`, {
          params: APP,
          body: { process: "process" },
        }),
      },
      async (req, reply) => {
        const p = principal(req);
        const [name, proc] = [param(req, "app"), input(req).str("process")];
        return jsonStream(reply, (out) =>
          appOp(dc, p, name, scheme, { process: proc }, out, async (say) =>
            fn(dc, await dc.ctx.store.getApp(name), proc, say),
          ),
        );
      },
    );
  }
  app.post(
    "/apps/:app/run",
    {
      schema: doc("apps", "Run a command in the app's units; streams its output", {
        params: APP,
        body: { command: "cmd", once: "bool", isolated: "bool" },
      }),
    },
    async (req, reply) => {
      const i = input(req);
      const p = principal(req);
      const name = param(req, "app");
      const f = { command: i.str("command"), once: i.bool("once"), isolated: i.bool("isolated") };
      const a = await visibleApp(dc.ctx, p, name, "app.run");
      return jsonStream(reply, (out) => runCommand(dc, a, f, out));
    },
  );
}
