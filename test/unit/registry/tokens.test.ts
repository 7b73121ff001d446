// Registry token pieces that need no registry: scope grammar and intersection, the JWT's
// header and claims (the shape Distribution 2.8 decodes), the padded X-Registry-Auth header,
// one-use credentials and the realm's answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { intersect, parseScope, parseScopes, ScopeError } from "../../../src/registry/scope.js";
import { RegistryTokens } from "../../../src/registry/tokens.js";
import { libtrustKeyId } from "../../../src/registry/kid.js";
import { registryAuthHeader } from "../../../src/registry/auth-header.js";
import { OneUseCredentials } from "../../../src/registry/one-use.js";
import { answerTokenRequest } from "../../../src/registry/realm.js";
import {
  appBuildAccess,
  repositoryOf,
  unitPullAccess,
  wharfImagePullAccess,
} from "../../../src/registry/grants.js";

const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const tokens = new RegistryTokens({ key: privateKey, issuer: "wharf", service: "wharf-registry" });

test("a scope parses with a registry port in its name and several actions", () => {
  assert.deepEqual(parseScope("repository:10.0.0.1:5000/wharf/platform-node:pull,push"), {
    type: "repository",
    name: "10.0.0.1:5000/wharf/platform-node",
    actions: ["pull", "push"],
  });
  assert.deepEqual(parseScope("registry:catalog:*"), { type: "registry", name: "catalog", actions: ["*"] });
  assert.deepEqual(parseScope("repository(plugin):myapp:pull").type, "repository");
  assert.equal(parseScopes(["repository:a:pull repository:b:push", "repository:c:pull"]).length, 3);
});

test("malformed scopes are refused with a sentence naming the problem", () => {
  for (const bad of [
    "repository",
    "repository:a",
    "Repo:a:pull",
    "repository::pull",
    "repository:a:PULL",
    "repository:a/UP:pull",
  ]) {
    assert.throws(() => parseScope(bad), ScopeError, bad);
  }
});

test("a token carries only what was both asked for and granted", () => {
  const asked = parseScopes(["repository:app-a:pull,push", "repository:app-b:pull", "registry:catalog:*"]);
  assert.deepEqual(intersect(asked, unitPullAccess("app-a")), [
    { type: "repository", name: "app-a", actions: ["pull"] },
  ]);
  assert.deepEqual(intersect(asked, appBuildAccess("app-a")), [
    { type: "repository", name: "app-a", actions: ["pull", "push"] },
  ]);
  assert.deepEqual(
    intersect(parseScopes(["repository:x:pull,push"]), [{ type: "repository", name: "x", actions: ["*"] }]),
    [{ type: "repository", name: "x", actions: ["pull", "push"] }],
  );
});

test("wharf image grants refuse repositories outside wharf/", () => {
  assert.throws(() => wharfImagePullAccess("app-a"), /not one of Wharf's own images/);
  assert.equal(repositoryOf("10.0.0.1:5000/wharf/base:bookworm", "10.0.0.1:5000"), "wharf/base");
  assert.equal(repositoryOf("10.0.0.1:5000/app-a@sha256:abc", "10.0.0.1:5000"), "app-a");
});

test("minted tokens have the header and claims registry 2.8 checks", async () => {
  const t = await tokens.mint("node:n1", unitPullAccess("app-a"));
  const header = decodeProtectedHeader(t.token);
  assert.equal(header.alg, "ES256");
  assert.equal(header.typ, "JWT");
  assert.equal(header.kid, libtrustKeyId(createPublicKey(privateKey)));
  assert.match(header.kid!, /^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$/);
  const claims = decodeJwt(t.token);
  assert.equal(typeof claims.aud, "string", "aud must be one string: 2.8 rejects an array");
  assert.equal(claims.iss, "wharf");
  assert.equal(claims.sub, "node:n1");
  assert.equal(claims.exp! - claims.iat!, 300);
  assert.ok(claims.jti);
  assert.deepEqual(claims.access, [{ type: "repository", name: "app-a", actions: ["pull"] }]);
  // The signature is raw r||s (64 bytes), as libtrust verifies it.
  assert.equal(Buffer.from(t.token.split(".")[2]!, "base64url").length, 64);
  await jwtVerify(t.token, createPublicKey(privateKey), { issuer: "wharf", audience: "wharf-registry" });
});

test("the token key must be P-256", () => {
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  assert.throws(() => new RegistryTokens({ key: rsa, issuer: "i", service: "s" }), /P-256/);
});

test("X-Registry-Auth is URL-safe base64 with padding, for every length of JSON", () => {
  for (let n = 0; n < 6; n++) {
    const h = registryAuthHeader({ registrytoken: "x".repeat(n) });
    assert.equal(h.length % 4, 0);
    assert.doesNotMatch(h, /[+/]/);
    assert.deepEqual(JSON.parse(Buffer.from(h, "base64url").toString()), { registrytoken: "x".repeat(n) });
  }
});

test("one-use credentials are exchanged once, and not after they expire or with a wrong password", () => {
  let now = 0;
  const creds = new OneUseCredentials(1000, () => now);
  const a = creds.issue("node:n1", unitPullAccess("app-a"));
  assert.equal(creds.exchange(a.username, "wrong"), undefined);
  assert.deepEqual(creds.exchange(a.username, a.password)?.access, unitPullAccess("app-a"));
  assert.equal(creds.exchange(a.username, a.password), undefined, "second use");
  const b = creds.issue("node:n1", unitPullAccess("app-a"));
  now = 1001;
  assert.equal(creds.exchange(b.username, b.password), undefined, "expired");
  creds.issue("x", []);
  assert.equal(creds.size, 1, "expired entries are swept");
});

const basicAuth = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

test("the realm refuses anonymous callers, bad credentials, a wrong service and bad scopes", async () => {
  const creds = new OneUseCredentials();
  const auth = (u: string, p: string) => creds.exchange(u, p);
  const anon = await answerTokenRequest(
    { service: "wharf-registry", scope: ["repository:a:pull"] },
    tokens,
    auth,
  );
  assert.equal(anon.status, 401);
  assert.match(anon.headers["www-authenticate"]!, /^Basic realm=/);
  const bad = await answerTokenRequest(
    { service: "wharf-registry", scope: [], authorization: basicAuth("x", "y") },
    tokens,
    auth,
  );
  assert.equal(bad.status, 401);
  const svc = await answerTokenRequest({ service: "other", scope: [] }, tokens, auth);
  assert.equal(svc.status, 400);
  assert.match(svc.body, /service must be "wharf-registry"/);
  const scope = await answerTokenRequest({ service: "wharf-registry", scope: ["nonsense"] }, tokens, auth);
  assert.equal(scope.status, 400);
  const c = creds.issue("node:n1", unitPullAccess("a"));
  const acct = await answerTokenRequest(
    {
      service: "wharf-registry",
      scope: [],
      account: "someone-else",
      authorization: basicAuth(c.username, c.password),
    },
    tokens,
    auth,
  );
  assert.equal(acct.status, 400);
});

test("the realm answers a valid credential with a token narrowed to its grant", async () => {
  const creds = new OneUseCredentials();
  const c = creds.issue("node:n1", unitPullAccess("app-a"));
  const r = await answerTokenRequest(
    {
      service: "wharf-registry",
      scope: ["repository:app-a:pull,push", "repository:app-b:pull"],
      account: c.username,
      authorization: basicAuth(c.username, c.password),
    },
    tokens,
    (u, p) => creds.exchange(u, p),
  );
  assert.equal(r.status, 200);
  const body = JSON.parse(r.body) as {
    token: string;
    access_token: string;
    expires_in: number;
    issued_at: string;
  };
  assert.equal(body.token, body.access_token);
  assert.equal(body.expires_in, 300);
  assert.ok(!Number.isNaN(Date.parse(body.issued_at)));
  assert.deepEqual(decodeJwt(body.token).access, [{ type: "repository", name: "app-a", actions: ["pull"] }]);
});
