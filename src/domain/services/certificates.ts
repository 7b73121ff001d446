// tsuru's app certificate routes: one TLS certificate per cname of an app, served by the routers
// through SNI. The key is validated against the certificate, sealed with the server's secret key
// (src/router/secret-box.ts) before it reaches the store, and never returned or logged.
import { X509Certificate, createPrivateKey, type KeyObject } from "node:crypto";
import { loadConfig } from "../../config/config.js";
import { loadSecretKey, seal, secretKeyPath } from "../../router/secret-box.js";
import { CERTIFICATE_CHANGE_KIND } from "../../router/store-certs.js";
import { BadRequestError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import type { Ctx } from "./context.js";
import { withEventTx } from "./events.js";
import type { Principal } from "./principal.js";
import { visibleApp } from "./app-read.js";

const MAX_PEM = 64 * 1024;
const keyFiles = new WeakMap<Ctx, string>();
const keys = new Map<string, Buffer>();

/** Where this server's secret key file is; default WHARF_SECRET_KEY or <dataDir>/secret.key. */
export function setCertificateKeyFile(ctx: Ctx, path: string): void {
  keyFiles.set(ctx, path);
}

/** The server's AES-256-GCM key (certificate keys, service passwords). */
export function secretKey(ctx: Ctx): Buffer {
  const path = keyFiles.get(ctx) ?? secretKeyPath(loadConfig(process.env).dataDir);
  let k = keys.get(path);
  if (!k) {
    k = loadSecretKey(path);
    keys.set(path, k);
  }
  return k;
}

export interface CertificateInput {
  cname: string;
  certificate: string;
  key: string;
}

/** Parses and checks a certificate/key pair for a cname; every failure is a 400 saying what to fix. */
export function validateCertificate(
  input: CertificateInput,
  now: Date,
): { x509: X509Certificate; key: KeyObject; notAfter: Date } {
  if (!input.certificate.trim()) throw new BadRequestError("You must provide the certificate (a PEM file).");
  if (!input.key.trim()) throw new BadRequestError("You must provide the private key (a PEM file).");
  if (input.certificate.length > MAX_PEM || input.key.length > MAX_PEM)
    throw new BadRequestError(`The certificate and the key must each be under ${MAX_PEM / 1024} KB of PEM.`);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(input.certificate);
  } catch {
    throw new BadRequestError("The certificate is not a valid PEM X.509 certificate.");
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(input.key);
  } catch {
    // Never quote the input: it is key material.
    throw new BadRequestError(
      "The key is not a valid unencrypted PEM private key (remove any passphrase, e.g. openssl pkey -in key.pem).",
    );
  }
  if (!x509.checkPrivateKey(key))
    throw new BadRequestError("The private key does not match the certificate.");
  const notAfter = new Date(x509.validTo);
  if (!(notAfter.getTime() > now.getTime()))
    throw new BadRequestError(`The certificate expired on ${notAfter.toISOString()}; upload a current one.`);
  if (x509.checkHost(input.cname) === undefined)
    throw new BadRequestError(
      `The certificate is not valid for "${clip(input.cname)}" (check its subject names).`,
    );
  return { x509, key, notAfter };
}

export async function setCertificate(
  ctx: Ctx,
  p: Principal,
  app: string,
  input: CertificateInput,
): Promise<void> {
  const a = await visibleApp(ctx, p, app, "app.update.certificate.set");
  if (!input.cname) throw new BadRequestError("You must provide the cname (-c).");
  if (!a.cnames.includes(input.cname))
    throw new BadRequestError(
      `cname "${clip(input.cname)}" is not set on app "${app}": add it with cname-add first.`,
    );
  const { notAfter } = validateCertificate(input, ctx.now());
  const keyEncrypted = seal(secretKey(ctx), input.key);
  await withEventTx(
    ctx.store,
    p,
    // Event data: the cname only, never certificate or key.
    {
      kind: "app.update.certificate.set",
      target: { type: "app", value: app },
      lock: true,
      data: { cname: input.cname },
    },
    { instanceId: ctx.settings.instanceId },
    async (t) => {
      await t.setCertificate({
        cname: input.cname,
        app,
        certificate: input.certificate,
        keyEncrypted,
        notAfter,
      });
      // Routers reload certificates on this change; it names the cname, never key material.
      await t.appendChange(CERTIFICATE_CHANGE_KIND, { app, cname: input.cname });
    },
  );
}

export async function unsetCertificate(ctx: Ctx, p: Principal, app: string, cname: string): Promise<void> {
  await visibleApp(ctx, p, app, "app.update.certificate.unset");
  if (!cname) throw new BadRequestError("You must provide the cname (-c).");
  const existing = await ctx.store.findCertificate(cname);
  if (!existing || existing.app !== app)
    throw new NotFoundError(`App "${app}" has no certificate for cname "${clip(cname)}".`);
  await withEventTx(
    ctx.store,
    p,
    {
      kind: "app.update.certificate.unset",
      target: { type: "app", value: app },
      lock: true,
      data: { cname },
    },
    { instanceId: ctx.settings.instanceId },
    async (t) => {
      await t.deleteCertificate(app, cname);
      await t.appendChange(CERTIFICATE_CHANGE_KIND, { app, cname });
    },
  );
}

/** tsuru's certificate-list shape: router name → cname → PEM certificate ("" when none). */
export async function listCertificates(
  ctx: Ctx,
  p: Principal,
  app: string,
): Promise<Record<string, Record<string, string>>> {
  const a = await visibleApp(ctx, p, app, "app.read.certificate");
  const certs = new Map((await ctx.store.listCertificates({ app })).map((c) => [c.cname, c.certificate]));
  const byCname: Record<string, string> = {};
  for (const c of a.cnames) byCname[c] = certs.get(c) ?? "";
  const routers = a.routers.length
    ? a.routers.map((r) => r.name)
    : [(ctx.settings.routers.find((r) => r.default) ?? ctx.settings.routers[0])?.name ?? "wharf"];
  return Object.fromEntries(routers.map((r) => [r, byCname]));
}
