// Kubernetes API failures become Wharf errors whose sentences say what to fix, and
// cluster records are validated before any connection (no file paths, no plugins).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiException } from "@kubernetes/client-node";
import { kubeError } from "../../../src/cluster/kubernetes/errors.js";
import { kubeConfigFor } from "../../../src/cluster/kubernetes/connect.js";

const server = "https://10.0.0.1:6443";
const status = (code: number, reason: string, message: string) =>
  JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });

test("403 names the verb, resource and namespace the credentials lack", () => {
  const e = kubeError(
    server,
    { verb: "create", resource: "deployments.apps", namespace: "team-a" },
    new ApiException(
      403,
      "",
      status(
        403,
        "Forbidden",
        'deployments.apps is forbidden: User "x" cannot create resource "deployments"',
      ),
      {},
    ),
  );
  assert.equal(e.status, 403);
  assert.match(e.message, /lack rights to create deployments\.apps in namespace "team-a"/);
  assert.match(e.message, /RBAC/);
});

test("401, 404, 409 conflict and already-exists each get their own sentence and status", () => {
  assert.equal(
    kubeError(server, { verb: "list", resource: "pods" }, new ApiException(401, "", undefined, {})).status,
    401,
  );
  const nf = kubeError(
    server,
    { verb: "get", resource: "services", namespace: "ns", name: "web" },
    new ApiException(404, "", status(404, "NotFound", 'services "web" not found'), {}),
  );
  assert.match(nf.message, /services "web" in namespace "ns" not found/);
  const c = kubeError(
    server,
    { verb: "update", resource: "deployments.apps", name: "d" },
    new ApiException(409, "", status(409, "Conflict", "the object has been modified"), {}),
  );
  assert.match(c.message, /changed by someone else/);
  const ae = kubeError(
    server,
    { verb: "create", resource: "namespaces", name: "n" },
    new ApiException(409, "", status(409, "AlreadyExists", "exists"), {}),
  );
  assert.match(ae.message, /already exists/);
});

test("connection and certificate failures say whether the address or the CA is wrong", () => {
  const refused = kubeError(
    server,
    { verb: "get", resource: "version" },
    Object.assign(new Error("request failed"), { code: "ECONNREFUSED" }),
  );
  assert.match(refused.message, /cannot be reached \(ECONNREFUSED\)/);
  const tls = kubeError(
    server,
    { verb: "get", resource: "version" },
    Object.assign(new Error("x"), { cause: { code: "SELF_SIGNED_CERT_IN_CHAIN" } }),
  );
  assert.match(tls.message, /CA does not vouch for/);
  assert.equal(tls.status, 400);
});

test("cluster records: https only, a CA required, credentials required, kubeconfig files and plugins refused", () => {
  const ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
  assert.throws(
    () => kubeConfigFor({ name: "c", addresses: ["http://1.2.3.4:6443"], caCert: ca, token: "t" }),
    /HTTPS only/,
  );
  assert.throws(
    () => kubeConfigFor({ name: "c", addresses: ["https://1.2.3.4:6443"], token: "t" }),
    /CA certificate/,
  );
  assert.throws(
    () => kubeConfigFor({ name: "c", addresses: ["https://1.2.3.4:6443"], caCert: ca }),
    /give credentials/,
  );
  assert.throws(
    () => kubeConfigFor({ name: "c", addresses: ["https://1.2.3.4:6443"], caCert: ca, clientCert: ca }),
    /both --clientcert and --clientkey/,
  );
  const kc = kubeConfigFor({ name: "c", addresses: ["https://1.2.3.4:6443"], caCert: ca, token: "t" });
  assert.equal(kc.getCurrentCluster()?.server, "https://1.2.3.4:6443");
  const cfg = (user: string) =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: https://1.2.3.4:6443\n    certificate-authority-data: ${Buffer.from(ca).toString("base64")}\nusers:\n- name: u\n  user:\n${user}\ncontexts:\n- name: ctx\n  context: {cluster: k, user: u}\ncurrent-context: ctx\n`;
  assert.throws(
    () => kubeConfigFor({ name: "c", kubeconfig: cfg("    exec: {command: /bin/evil}") }),
    /plugin/,
  );
  assert.throws(
    () =>
      kubeConfigFor({
        name: "c",
        kubeconfig: cfg("    client-key: /etc/shadow\n    client-certificate: /x"),
      }),
    /points at a file/,
  );
  assert.equal(
    kubeConfigFor({ name: "c", kubeconfig: cfg("    token: abc") }).getCurrentUser()?.token,
    "abc",
  );
  assert.throws(
    () => kubeConfigFor({ name: "c", kubeconfig: cfg("    token: abc"), context: "nope" }),
    /no context "nope"/,
  );
});
