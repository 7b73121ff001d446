// `wharf app deploy [DIR|FILES...]`, `app deploy list`, `app deploy rollback VERSION`
// (reference §4.7): uploads a tar.gz (or names an image, or sends a Dockerfile with its
// context), relays the build and rollout as they happen, and prints the app's URL.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { encodeMultipart, type ApiClient, type ApiResponse, type RequestOptions } from "../client/http.js";
import { apiFor } from "../context.js";
import { DeployInterrupt } from "../deploy/interrupt.js";
import { uploadProgress } from "../deploy/progress.js";
import { relayDeployOutput, type DeployOutcome } from "../deploy/response.js";
import { CliError } from "../errors.js";
import { appOption, resolveApp, usageError } from "../options.js";
import { print } from "../output.js";
import { appAddresses } from "./app.js";
import { registerDeployHistory } from "./deploy-history.js";

export interface DeployOptions {
  app?: string;
  image?: string;
  dockerfile?: string;
  message?: string;
}

/** `--dockerfile DIR` means DIR/Dockerfile, as in tsuru's client. */
function readDockerfile(path: string): { content: string; dir: string } {
  const abs = resolve(path);
  const file = existsSync(abs) && statSync(abs).isDirectory() ? join(abs, "Dockerfile") : abs;
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw usageError(`no Dockerfile at "${path}": give --dockerfile the path of a Dockerfile`);
  }
  return { content: readFileSync(file, "utf8"), dir: resolve(file, "..") };
}

/** The deploy request: a form for an image, else multipart with the archive. */
async function deployRequest(paths: string[], opts: DeployOptions): Promise<RequestOptions> {
  if (opts.image) {
    const form: Record<string, string> = { image: opts.image, origin: "image" };
    if (opts.message) form.message = opts.message;
    return { form };
  }
  const fields: Record<string, string> = { origin: "app-deploy" };
  if (opts.message) fields.message = opts.message;
  let context = paths;
  if (opts.dockerfile) {
    const df = readDockerfile(opts.dockerfile);
    fields.dockerfile = df.content;
    // Without paths, the Dockerfile's directory is the build context.
    if (!paths.length) context = [df.dir];
  }
  // tar and ignore rules load only for deploys that upload files (start-up is the user's time).
  const { buildArchive } = await import("../deploy/archive.js");
  const archive = await buildArchive(context, { warn: (m) => process.stderr.write(`Warning: ${m}\n`) });
  const boundary = randomBytes(30).toString("hex");
  const data = encodeMultipart(
    { fields, files: [{ field: "file", filename: "archive.tar.gz", content: archive.data }] },
    boundary,
  );
  return { upload: { contentType: `multipart/form-data; boundary=${boundary}`, data } };
}

/** An app address as a URL: routers give host names, `http://` is added when bare. */
export function appUrl(address: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(address) ? address : `http://${address}`;
}

async function printAppUrl(api: ApiClient, app: string): Promise<void> {
  // The address is a courtesy: a failure to read it does not fail a finished deploy.
  const info = await api.getJson<unknown>("GET", `/apps/${app}`).catch(() => undefined);
  const addresses = info === undefined ? [] : appAddresses(info);
  if (addresses.length) print(`App "${app}" is available at ${addresses.map(appUrl).join(", ")}`);
}

async function runDeploy(paths: string[], opts: DeployOptions, api: ApiClient): Promise<void> {
  if (opts.image && paths.length) throw usageError("you can't deploy files and an image at the same time");
  if (opts.image && opts.dockerfile) {
    throw usageError("you can't deploy an image and a Dockerfile at the same time");
  }
  const app = resolveApp(opts.app);
  // tsuru checks the app first: a typo fails before a large upload. The archive is packed
  // meanwhile (nothing is sent until the app is known); the app's error comes first.
  const packing = deployRequest(paths, opts);
  packing.catch(() => undefined);
  await api.getJson<unknown>("GET", `/apps/${app}`);
  const req = await packing;
  const progress = uploadProgress();
  if (req.upload) req.upload.onProgress = (sent, total) => progress.update(sent, total);
  const interrupt = new DeployInterrupt(api, app).install();
  let outcome: DeployOutcome;
  try {
    const res: ApiResponse = await api.request("POST", `/apps/${app}/deploy`, {
      ...req,
      signal: interrupt.controller.signal,
    });
    progress.done();
    const id = res.headers["x-tsuru-eventid"];
    if (typeof id === "string" && id) interrupt.eventId = id;
    outcome = await relayDeployOutput(res, (s) => process.stdout.write(s));
  } catch (err) {
    progress.done();
    if (!interrupt.controller.signal.aborted) throw err;
    if (interrupt.state === "aborted") throw new CliError("deploy interrupted: nothing was deployed", 130);
    throw new CliError(
      interrupt.state === "canceled"
        ? "stopped waiting; the deploy was asked to cancel (see `wharf event list -t app`)"
        : "stopped waiting; the deploy goes on in the background (see `wharf event list -t app`)",
      130,
    );
  } finally {
    await interrupt.uninstall();
  }
  if (interrupt.state === "canceled" && !outcome.ok) {
    throw new CliError(`the deploy was canceled${outcome.error ? `: ${outcome.error}` : ""}`, 130);
  }
  if (!outcome.ok) {
    throw new CliError(outcome.error ?? `the deploy of app "${app}" failed: see the output above`);
  }
  if (interrupt.state === "canceled") print("The deploy finished before the cancel took effect.");
  await printAppUrl(api, app);
}

export function registerDeploy(program: Command): void {
  const app = program.commands.find((c) => c.name() === "app");
  if (!app) throw new Error("register the app topic before deploy");
  const deploy = appOption(
    app
      .command("deploy [paths...]")
      .description(
        "deploy a directory (default: .) or files, an image (--image) or a Dockerfile (--dockerfile); " +
          ".wharfignore/.tsuruignore (gitignore syntax) leave files out; Ctrl-C cancels the deploy",
      )
      .option("-i, --image <image>", "deploy this image instead of files")
      .option(
        "--dockerfile <file>",
        "build from this Dockerfile, with the paths (or its directory) as context",
      )
      .option("-m, --message <text>", "a message describing this deploy"),
  ).action(async (paths: string[], opts: DeployOptions, cmd: Command) => {
    await runDeploy(paths, opts, apiFor(cmd));
  });
  registerDeployHistory(deploy);
}
