// tsuru's node-add certificate fields (CaCert, ClientCert, ClientKey: PEM text the stock client
// reads from --cacert, --clientcert and --clientkey): checked here, without I/O, so a wrong file is
// a 400 naming the field before anything is stored or dialled.
import { X509Certificate, createPrivateKey } from "node:crypto";
import { BadRequestError } from "./errors.js";

export interface NodeTlsForm {
  caCert: string;
  clientCert: string;
  clientKey: string;
}

const MAX_PEM = 64 * 1024;

function certificate(pem: string, field: string, flag: string): X509Certificate {
  if (pem.length > MAX_PEM)
    throw new BadRequestError(`${field} is too large: give one PEM certificate (${flag}).`);
  try {
    return new X509Certificate(pem);
  } catch {
    throw new BadRequestError(
      `${field} is not a PEM certificate: give the file's content as written (${flag}).`,
    );
  }
}

/** Validates the PEM fields; returns the pieces given ({} when none). */
export function checkNodeTls(f: NodeTlsForm): { ca?: string; cert?: string; key?: string } {
  const out: { ca?: string; cert?: string; key?: string } = {};
  if (f.caCert.trim()) {
    const ca = certificate(f.caCert, "CaCert", "--cacert");
    if (!ca.ca)
      throw new BadRequestError(
        "CaCert is not a CA certificate: give the CA that signed the node's certificate (--cacert).",
      );
    out.ca = f.caCert;
  }
  if (!!f.clientCert.trim() !== !!f.clientKey.trim())
    throw new BadRequestError(
      "ClientCert and ClientKey go together: give both --clientcert and --clientkey, or neither.",
    );
  if (f.clientCert.trim()) {
    const cert = certificate(f.clientCert, "ClientCert", "--clientcert");
    if (f.clientKey.length > MAX_PEM)
      throw new BadRequestError("ClientKey is too large: give one PEM key (--clientkey).");
    let key;
    try {
      key = createPrivateKey(f.clientKey);
    } catch {
      throw new BadRequestError(
        "ClientKey is not a PEM private key (an encrypted key can't be used): give --clientkey unencrypted.",
      );
    }
    if (!cert.checkPrivateKey(key))
      throw new BadRequestError(
        "ClientKey does not belong to ClientCert: give the key of that certificate (--clientkey).",
      );
    out.cert = f.clientCert;
    out.key = f.clientKey;
  }
  return out;
}
