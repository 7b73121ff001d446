// Pure pieces of exec and image pull secrets: the exit code a status-channel Status
// stands for (and an error, not a code, when the command could not run), and the
// .dockerconfigjson document a kubelet reads to pull from Wharf's registry.
import assert from "node:assert/strict";
import { test } from "node:test";
import { exitCodeOf } from "../../../src/cluster/kubernetes/exec.js";
import { dockerConfigJson } from "../../../src/cluster/kubernetes/secrets.js";
import { KubeApiError } from "../../../src/cluster/kubernetes/errors.js";

test("the status channel's Success is exit code 0 and NonZeroExitCode carries the code", () => {
  assert.equal(exitCodeOf({ status: "Success", metadata: {} }), 0);
  assert.equal(
    exitCodeOf({
      status: "Failure",
      reason: "NonZeroExitCode",
      message:
        "command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7",
      details: { causes: [{ reason: "ExitCode", message: "7" }] },
    }),
    7,
  );
});

test("a command that could not run is an error with the server's words, not an exit code", () => {
  assert.throws(
    () =>
      exitCodeOf({
        status: "Failure",
        reason: "InternalError",
        message: 'exec: "nope": executable file not found in $PATH',
      }),
    (e: unknown) =>
      e instanceof KubeApiError &&
      e.status === 502 &&
      /could not run.*executable file not found/.test(e.message),
  );
  assert.throws(
    () => exitCodeOf({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [] } }),
    KubeApiError,
    "a NonZeroExitCode without its code is not guessed as 1",
  );
});

test("a pull secret's document names the registry with username, password and their base64 auth", () => {
  const doc = JSON.parse(
    dockerConfigJson({ registry: "10.213.7.1:5000", username: "pool-main", password: "s3cr:et" }),
  ) as { auths: Record<string, { username: string; password: string; auth: string }> };
  assert.deepEqual(Object.keys(doc.auths), ["10.213.7.1:5000"]);
  const a = doc.auths["10.213.7.1:5000"]!;
  assert.equal(a.username, "pool-main");
  assert.equal(a.password, "s3cr:et");
  assert.equal(Buffer.from(a.auth, "base64").toString(), "pool-main:s3cr:et");
});
