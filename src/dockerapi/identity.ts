// Who is calling: the client certificate of the TLS connection, matched against the store
// on every request (serial and fingerprint), so a revoked certificate or a removed user is
// refused at once, whatever TLS already accepted. The caller acts for the teams in which
// they may create apps.
import type { TLSSocket } from "node:tls";
import { permissionsOf } from "../domain/services/access.js";
import { can, memberTeams, type Principal } from "../domain/services/principal.js";
import { teamContext } from "../domain/permissions.js";
import type { StoreOps } from "../store/types.js";
import { certIdentity } from "./certs.js";
import { DockerApiError } from "./http.js";

export interface Caller {
  email: string;
  serial: string;
  /** Teams whose containers the caller sees and creates (app.create in the team), sorted. */
  teams: string[];
  principal: Principal;
}

const GET_CERT =
  "run `wharf docker certs` (or `eval $(wharf docker env)`) for a certificate and use the DOCKER_CERT_PATH it prints";

export async function identify(store: StoreOps, socket: TLSSocket): Promise<Caller> {
  if (!socket.authorized) {
    const why = socket.authorizationError ? ` (${String(socket.authorizationError)})` : "";
    throw new DockerApiError(
      401,
      `this client certificate was not issued by this Wharf's Docker CA${why}: ${GET_CERT}`,
    );
  }
  const peer = socket.getPeerCertificate();
  if (!peer?.serialNumber) throw new DockerApiError(401, `no client certificate: ${GET_CERT}`);
  const { serial, fingerprint } = certIdentity(peer);
  const rec = await store.findDockerCert(serial);
  if (!rec || rec.fingerprint !== fingerprint)
    throw new DockerApiError(401, `certificate ${serial} is not known to Wharf: ${GET_CERT}`);
  if (rec.revokedAt) throw new DockerApiError(401, `certificate ${serial} was revoked: ${GET_CERT}`);
  if (rec.notAfter.getTime() <= Date.now())
    throw new DockerApiError(401, `certificate ${serial} has expired: ${GET_CERT}`);
  const user = await store.findUser(rec.userEmail);
  if (!user) throw new DockerApiError(401, `the user of certificate ${serial} no longer exists`);
  const principal: Principal = {
    kind: "user",
    email: user.email,
    tokenId: `docker-cert:${serial}`,
    team: null,
    permissions: await permissionsOf(store, "user", user.email),
  };
  const teams = memberTeams(principal).filter((t) => can(principal, "app.create", teamContext(t)));
  return { email: user.email, serial, teams, principal };
}
