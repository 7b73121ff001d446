// The cluster registry with token auth and Wharf as issuer, on the real 3-node test cluster
// (Debian's docker-registry 2.8, node dockerds 20.10): anonymous access and the catalog are
// refused, tokens are honoured only for their repository and action, malformed tokens are
// rejected, and node engines pull and push with credentials passed per call in X-Registry-Auth,
// both as a ready token (`registrytoken`) and as a one-use password exchanged at Wharf's realm.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import Fastify, { type FastifyInstance } from "fastify";
import type Docker from "dockerode";
import type { DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { Pki } from "../../../src/cluster/tls/pki.js";
import { pullImage, pushImage, tagImage } from "../../support/engines.js";
import { loadRegistryTokens, type RegistryTokens } from "../../../src/registry/tokens.js";
import { OneUseCredentials } from "../../../src/registry/one-use.js";
import { appBuildAccess, CATALOG_ACCESS, unitPullAccess } from "../../../src/registry/grants.js";
import type { RegistryCredential } from "../../../src/registry/auth-header.js";
import { registryTokenRoutes } from "../../../src/api/routes/registry-token.js";
import { hostEngine, nodeClient, testLayout } from "../../support/dev-cluster.js";
import { buildBusyboxImage } from "../../support/busybox-image.js";
import { isolationCluster, REALM_PORT } from "../../support/isolation-cluster.js";

const l = testLayout();
let info: DevClusterInfo;
let tokens: RegistryTokens;
let realm: FastifyInstance;
const creds = new OneUseCredentials();
const realmHits: string[] = [];
const ref = (repo: string) => `${info.registry}/${repo}:v1`;

function registryGet(path: string, token?: string): Promise<{ status: number; auth: string; body: string }> {
  const [host, port] = info.registry.split(":");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host,
        port: Number(port),
        path,
        ca: readFileSync(info.tls.ca),
        headers: token ? { authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, auth: String(res.headers["www-authenticate"] ?? ""), body }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function removeImage(docker: Docker, r: string): Promise<void> {
  await docker
    .getImage(r)
    .remove({ force: true })
    .catch(() => undefined);
}

const tokenFor = async (access: Parameters<RegistryTokens["mint"]>[1]): Promise<RegistryCredential> => ({
  registrytoken: (await tokens.mint("test", access)).token,
});

before(async () => {
  info = await isolationCluster();
  const t = info.registryAuth.token!;
  tokens = await loadRegistryTokens(t.keyFile, t);
  const pki = new Pki(`${l.stateDir}/pki`);
  const tls = await pki.issueServer("wharf-realm", { ips: [info.hostAddress] });
  realm = Fastify({ https: { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } });
  realm.addHook("onRequest", async (req) => void realmHits.push(req.url));
  registryTokenRoutes(realm, tokens, (u, p) => creds.exchange(u, p));
  await realm.listen({ host: info.hostAddress, port: REALM_PORT });
  const host = hostEngine();
  await buildBusyboxImage(host, "wharf-test/busybox:latest");
  for (const app of ["tokapp-a", "tokapp-b"]) {
    await tagImage(host, "wharf-test/busybox:latest", `${info.registry}/${app}`, "v1");
    await pushImage(host, ref(app), undefined, await tokenFor(appBuildAccess(app)));
  }
});

after(async () => {
  await realm?.close();
});

describe("the registry under token auth", () => {
  test("refuses anonymous requests with a Bearer challenge naming Wharf's realm and service", async () => {
    const r = await registryGet("/v2/");
    assert.equal(r.status, 401);
    assert.match(
      r.auth,
      new RegExp(`^Bearer realm="${process.env.WHARF_REGISTRY_REALM}",service="wharf-registry"`),
    );
    assert.equal((await registryGet("/v2/tokapp-a/manifests/v1")).status, 401);
  });

  test("lists the catalog only for a token holding registry:catalog:*", async () => {
    const pullToken = (await tokens.mint("n", unitPullAccess("tokapp-a"))).token;
    const denied = await registryGet("/v2/_catalog", pullToken);
    assert.equal(denied.status, 401);
    assert.match(denied.auth, /insufficient_scope/);
    const ok = await registryGet("/v2/_catalog", (await tokens.mint("wharf", CATALOG_ACCESS)).token);
    assert.equal(ok.status, 200);
    assert.ok((JSON.parse(ok.body) as { repositories: string[] }).repositories.includes("tokapp-a"));
  });

  test("honours a pull token for its repository only", async () => {
    const t = (await tokens.mint("n", unitPullAccess("tokapp-a"))).token;
    assert.equal((await registryGet("/v2/tokapp-a/manifests/v1", t)).status, 200);
    const other = await registryGet("/v2/tokapp-b/manifests/v1", t);
    assert.equal(other.status, 401);
    assert.match(other.auth, /insufficient_scope/);
  });

  test("rejects tokens with an array aud, another issuer, a long-past expiry or a DER signature", async () => {
    const key = createPrivateKey(readFileSync(info.registryAuth.token!.keyFile));
    const now = Math.floor(Date.now() / 1000);
    const good = {
      iss: "wharf",
      sub: "t",
      aud: "wharf-registry",
      exp: now + 120,
      nbf: now,
      iat: now,
      jti: randomUUID(),
    };
    const access = unitPullAccess("tokapp-a");
    const jwt = (claims: object, der = false) => {
      const head = Buffer.from(JSON.stringify({ alg: "ES256", typ: "JWT", kid: tokens.kid })).toString(
        "base64url",
      );
      const body = Buffer.from(JSON.stringify({ ...claims, access })).toString("base64url");
      const data = Buffer.from(`${head}.${body}`);
      const sig = sign("sha256", data, der ? key : { key, dsaEncoding: "ieee-p1363" });
      return `${head}.${body}.${sig.toString("base64url")}`;
    };
    assert.equal(
      (await registryGet("/v2/tokapp-a/manifests/v1", jwt(good))).status,
      200,
      "the hand-made token is valid",
    );
    for (const [what, t] of [
      ["aud array", jwt({ ...good, aud: ["wharf-registry"] })],
      ["issuer", jwt({ ...good, iss: "someone" })],
      ["expired", jwt({ ...good, exp: now - 120 })],
      ["DER signature", jwt(good, true)],
    ] as const) {
      const r = await registryGet("/v2/tokapp-a/manifests/v1", t);
      assert.equal(r.status, 401, what);
      assert.match(r.auth, /invalid_token/, what);
    }
  });
});

describe("node engines with per-call registry credentials", () => {
  test("a node pulls with a registrytoken scoped to the app, and that token pulls nothing else", async () => {
    const node = nodeClient(info, 1);
    await removeImage(node, ref("tokapp-a"));
    await removeImage(node, ref("tokapp-b"));
    const cred = await tokenFor(unitPullAccess("tokapp-a"));
    await pullImage(node, ref("tokapp-a"), undefined, cred);
    await assert.rejects(
      pullImage(node, ref("tokapp-b"), undefined, cred),
      /denied|unauthorized|authentication required/i,
    );
    await assert.rejects(
      pullImage(node, ref("tokapp-b")),
      /denied|unauthorized|authentication required/i,
      "anonymous",
    );
  });

  test("a node pushes only with a push token for that repository", async () => {
    const node = nodeClient(info, 2);
    await removeImage(node, ref("tokapp-a"));
    await pullImage(node, ref("tokapp-a"), undefined, await tokenFor(unitPullAccess("tokapp-a")));
    await tagImage(node, ref("tokapp-a"), `${info.registry}/tokapp-b`, "pushed-from-node");
    const target = `${info.registry}/tokapp-b:pushed-from-node`;
    await assert.rejects(
      pushImage(node, target, undefined, await tokenFor(unitPullAccess("tokapp-b"))),
      /denied|unauthorized|authentication required/i,
    );
    await assert.rejects(
      pushImage(node, target, undefined, await tokenFor(appBuildAccess("tokapp-a"))),
      /denied|unauthorized|authentication required/i,
    );
    await pushImage(node, target, undefined, await tokenFor(appBuildAccess("tokapp-b")));
    assert.equal(
      (
        await registryGet(
          "/v2/tokapp-b/manifests/pushed-from-node",
          (await tokens.mint("t", unitPullAccess("tokapp-b"))).token,
        )
      ).status,
      200,
    );
  });

  test("a node pulls and pushes with one-use passwords exchanged at Wharf's realm, each usable once", async () => {
    const node = nodeClient(info, 0);
    await removeImage(node, ref("tokapp-a"));
    const asCred = (c: { username: string; password: string }): RegistryCredential => ({
      ...c,
      serveraddress: info.registry,
    });
    const pull = creds.issue("node:n1", unitPullAccess("tokapp-a"));
    const before = realmHits.length;
    await pullImage(node, ref("tokapp-a"), undefined, asCred(pull));
    const pullHits = realmHits.slice(before);
    assert.ok(pullHits.length >= 1, "dockerd fetched its token at the realm");
    console.log(`realm requests for one pull: ${pullHits.length}: ${pullHits.join(" ")}`);
    await removeImage(node, ref("tokapp-a"));
    await assert.rejects(
      pullImage(node, ref("tokapp-a"), undefined, asCred(pull)),
      /denied|unauthorized|authentication required|401/i,
      "reused",
    );
    const push = creds.issue("build:tokapp-a", appBuildAccess("tokapp-a"));
    await pullImage(
      node,
      ref("tokapp-a"),
      undefined,
      asCred(creds.issue("node:n1", unitPullAccess("tokapp-a"))),
    );
    await tagImage(node, ref("tokapp-a"), `${info.registry}/tokapp-a`, "via-realm");
    const b2 = realmHits.length;
    await pushImage(node, `${info.registry}/tokapp-a:via-realm`, undefined, asCred(push));
    console.log(`realm requests for one push: ${realmHits.length - b2}: ${realmHits.slice(b2).join(" ")}`);
  });
});
