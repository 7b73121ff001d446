// The tsuru-API side of the endpoint: users get client certificates for their own name
// (the key never leaves their machine: only a CSR comes here), list and revoke them; admins
// read and relax each pool's policy. Called by src/api/routes/docker.ts.
import type { Principal } from "../domain/services/principal.js";
import { authorize, isGlobal } from "../domain/services/principal.js";
import { BadRequestError, ForbiddenError, NotFoundError } from "../domain/errors.js";
import { poolContext } from "../domain/permissions.js";
import type { DockerCertRecord, DockerPoolPolicy, Store } from "../store/types.js";
import { CsrError, type DockerCa } from "./certs.js";

/** The endpoint as the API knows it: its CA, and its address once it listens. */
export interface EndpointInfo {
  ca: DockerCa;
  url: string;
}

export interface IssuedCert {
  certificate: string;
  ca: string;
  serial: string;
  expires: string;
  /** DOCKER_HOST to export. */
  endpoint: string;
}

function userOnly(p: Principal): string {
  if (p.kind !== "user")
    throw new ForbiddenError(
      "Docker endpoint certificates name a user: log in as one (team tokens cannot get one).",
    );
  return p.email;
}

export async function issueCert(
  store: Store,
  ep: EndpointInfo,
  p: Principal,
  csr: string,
): Promise<IssuedCert> {
  const email = userOnly(p);
  if (!csr)
    throw new BadRequestError(
      "Send the certificate request in the csr field (wharf docker certs makes one).",
    );
  let signed;
  try {
    signed = await ep.ca.sign(csr, email);
  } catch (e) {
    if (e instanceof CsrError) throw new BadRequestError(`${e.message}.`);
    throw e;
  }
  await store.createDockerCert({
    serial: signed.serial,
    userEmail: email,
    fingerprint: signed.fingerprint,
    notAfter: signed.notAfter,
  });
  return {
    certificate: signed.pem,
    ca: await ep.ca.caPem(),
    serial: signed.serial,
    expires: signed.notAfter.toISOString(),
    endpoint: ep.url,
  };
}

export interface CertView {
  serial: string;
  user: string;
  created: string;
  expires: string;
  revoked: string | null;
}

const view = (c: DockerCertRecord): CertView => ({
  serial: c.serial,
  user: c.userEmail,
  created: c.createdAt.toISOString(),
  expires: c.notAfter.toISOString(),
  revoked: c.revokedAt?.toISOString() ?? null,
});

/** The caller's certificates; an admin (user.update globally) may name another user or "" for all. */
export async function listCerts(store: Store, p: Principal, user?: string): Promise<CertView[]> {
  const admin = isGlobal(p, "user.update");
  if (user !== undefined && user !== p.email && !admin) throw new ForbiddenError();
  const who = user ?? (admin ? undefined : p.email);
  return (await store.listDockerCerts(who === undefined || who === "" ? {} : { userEmail: who })).map(view);
}

export async function revokeCert(store: Store, p: Principal, serial: string): Promise<void> {
  const c = await store.findDockerCert(
    serial
      .toLowerCase()
      .replace(/^0x/, "")
      .replace(/:/g, "")
      .replace(/^0+(?=.)/, ""),
  );
  if (!c || (c.userEmail !== p.email && !isGlobal(p, "user.update")))
    throw new NotFoundError(`Certificate ${serial} not found: \`wharf docker certs list\` shows yours.`);
  await store.revokeDockerCert(c.serial);
}

export async function getPolicy(store: Store, p: Principal, pool: string): Promise<DockerPoolPolicy> {
  authorize(p, "pool.read", poolContext(pool));
  if (!(await store.findPool(pool))) throw new NotFoundError(`Pool "${pool}" not found.`);
  return store.getDockerPoolPolicy(pool);
}

export type PolicyPatch = Partial<Omit<DockerPoolPolicy, "pool">>;

export async function setPolicy(
  store: Store,
  p: Principal,
  pool: string,
  patch: PolicyPatch,
): Promise<DockerPoolPolicy> {
  authorize(p, "pool.update", poolContext(pool));
  if (!(await store.findPool(pool))) throw new NotFoundError(`Pool "${pool}" not found.`);
  if (
    patch.containersPerTeam !== undefined &&
    (!Number.isInteger(patch.containersPerTeam) || patch.containersPerTeam < -1)
  )
    throw new BadRequestError("containers-per-team must be a whole number, or -1 for no limit.");
  const cur = await store.getDockerPoolPolicy(pool);
  const next = { ...cur };
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
  return store.setDockerPoolPolicy(next);
}
