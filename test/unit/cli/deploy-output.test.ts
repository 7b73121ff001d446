// How `wharf app deploy` reads the deploy answer, and how deploys are listed.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ApiResponse } from "../../../src/cli/client/http.js";
import { relayDeployOutput } from "../../../src/cli/deploy/response.js";
import { progressLine, sizeText, uploadProgress } from "../../../src/cli/deploy/progress.js";
import { appUrl } from "../../../src/cli/commands/deploy.js";
import { renderDeploys, sortDeploys } from "../../../src/cli/commands/deploy-history.js";

function response(contentType: string, ...parts: string[]): ApiResponse {
  async function* gen() {
    for (const p of parts) yield Buffer.from(p);
  }
  const body = Object.assign(gen(), { text: async () => parts.join("") });
  return { status: 200, headers: { "content-type": contentType }, body };
}

async function relay(res: ApiResponse) {
  let out = "";
  const outcome = await relayDeployOutput(res, (s) => (out += s));
  return { out, outcome };
}

test("text deploy answer: printed as it comes, success only when it ends with \\nOK\\n", async () => {
  const ok = await relay(response("text", "building\n", "rolling out\n\nO", "K\n"));
  assert.equal(ok.out, "building\nrolling out\n\nOK\n");
  assert.deepEqual(ok.outcome, { ok: true });
});

test("text deploy answer without the final OK is a failure", async () => {
  const failed = await relay(response("text", "building\n", "healthcheck failed on unit 3f2a\n"));
  assert.equal(failed.outcome.ok, false);
  assert.equal(failed.out, "building\nhealthcheck failed on unit 3f2a\n");
  assert.equal((await relay(response("text", "OK\n"))).outcome.ok, false, "OK must follow a newline");
});

test("text deploy answer ending with an Error: line is a failure carrying that error", async () => {
  const r = await relay(response("text", "building\n", "\nError: unit web-1 failed its healthcheck\n"));
  assert.deepEqual(r.outcome, { ok: false, error: "unit web-1 failed its healthcheck" });
  assert.equal(r.out, "building\n\nError: unit web-1 failed its healthcheck\n");
});

test("x-json-stream deploy answer: messages are printed and an Error line is the failure", async () => {
  const r = await relay(
    response(
      "application/x-json-stream",
      '{"Message":"step 1\\n"}\n{"Message":"step 2\\n"}\n',
      '{"Message":"","Error":"build failed: npm ci exited 1"}\n',
    ),
  );
  assert.equal(r.out, "step 1\nstep 2\n");
  assert.deepEqual(r.outcome, { ok: false, error: "build failed: npm ci exited 1" });
  const ok = await relay(response("application/x-json-stream", '{"Message":"done\\n"}\n'));
  assert.deepEqual(ok.outcome, { ok: true });
});

test("upload progress shows bytes sent over the total and a whole percentage", () => {
  assert.equal(progressLine(512, 1024), "Uploading 512 B / 1.0 KB (50%)");
  assert.equal(progressLine(3 * 1024 * 1024, 4 * 1024 * 1024), "Uploading 3.00 MB / 4.00 MB (75%)");
  assert.equal(sizeText(1536), "1.5 KB");
});

test("app URL: a bare address gets http://, a URL is kept", () => {
  assert.equal(appUrl("web.apps.example.com"), "http://web.apps.example.com");
  assert.equal(appUrl("127.0.0.1:8080"), "http://127.0.0.1:8080");
  assert.equal(appUrl("https://web.example.com"), "https://web.example.com");
});

test("deploy list: newest first, (*) marks images that can be rolled back, git origin shows the commit", () => {
  const deploys = sortDeploys([
    {
      Image: "reg/web:v1",
      Origin: "app-deploy",
      User: "a@x.io",
      Timestamp: "2026-01-01T00:00:00Z",
      Duration: 5e9,
      CanRollback: true,
    },
    {
      Image: "reg/web:v2",
      Origin: "git",
      Commit: "0123456789abcdef",
      User: "b@x.io",
      Timestamp: "2026-01-02T00:00:00Z",
      Duration: 65e9,
      Error: "healthcheck failed",
    },
  ]);
  const out = renderDeploys(deploys);
  assert.ok(out.indexOf("reg/web:v2") < out.indexOf("reg/web:v1"), "v2 (newer) first");
  assert.match(out, /\| reg\/web:v1 \(\*\) +\| app-deploy +\| a@x\.io +\| .*\(5s\) +\| +\|/);
  assert.match(
    out,
    /\| reg\/web:v2 +\| git \(0123456\) +\| b@x\.io +\| .*\(1m5s\) +\| healthcheck failed \|/,
  );
});

function fakeStream(isTTY: boolean) {
  let written = "";
  const stream = { isTTY, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, written: () => written };
}

test("upload progress rewrites one line on a terminal and ends it with ok", () => {
  const t = fakeStream(true);
  const p = uploadProgress(t.stream);
  p.update(512, 1024);
  p.update(512, 1024);
  p.update(1024, 1024);
  p.done();
  assert.equal(t.written(), "\rUploading 512 B / 1.0 KB (50%)\rUploading 1.0 KB / 1.0 KB (100%) ok\n");
});

test("upload progress writes nothing when the stream is not a terminal", () => {
  const t = fakeStream(false);
  const p = uploadProgress(t.stream);
  p.update(1, 2);
  p.done();
  assert.equal(t.written(), "");
});
