// Connection to a Kubernetes cluster from Wharf's cluster record: the API server
// address(es), the cluster CA, and a client certificate/key or a bearer token; or an
// imported kubeconfig. Kubeconfigs are accepted only with inline data: no file paths
// (they would read files on Wharf's server), no exec or auth-provider plugins (they would
// run commands), no insecure-skip-tls-verify.
import { KubeConfig } from "@kubernetes/client-node";
import { parse as parseYaml } from "yaml";
import { BadRequestError } from "../../domain/errors.js";

export interface KubeClusterRecord {
  name: string;
  /** https://HOST:PORT of the API server; the first is used. */
  addresses?: string[];
  /** PEM of the cluster CA. */
  caCert?: string;
  clientCert?: string;
  clientKey?: string;
  token?: string;
  /** A whole kubeconfig (YAML or JSON) instead of the fields above. */
  kubeconfig?: string;
  /** The kubeconfig context to use (its current-context by default). */
  context?: string;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
const PEM = /-----BEGIN [A-Z ]+-----[\s\S]+-----END [A-Z ]+-----/;

function checkAddress(addr: string): string {
  let u: URL;
  try {
    u = new URL(addr);
  } catch {
    throw new BadRequestError(`"${addr}" is not a Kubernetes API address; write it as https://HOST:PORT`);
  }
  if (u.protocol !== "https:")
    throw new BadRequestError(
      `"${addr}": Wharf talks to Kubernetes API servers over HTTPS only; write it as https://HOST:PORT`,
    );
  if (u.username || u.password || (u.pathname !== "/" && u.pathname !== "") || u.search) {
    throw new BadRequestError(`"${addr}": give only https://HOST:PORT, without credentials, path or query`);
  }
  return `https://${u.host}`;
}

function fromFields(r: KubeClusterRecord): KubeConfig {
  const addresses = r.addresses ?? [];
  if (addresses.length === 0)
    throw new BadRequestError(
      `cluster ${r.name}: give the API server address (--addr https://HOST:PORT) or a kubeconfig`,
    );
  const server = checkAddress(addresses[0]!);
  addresses.slice(1).forEach(checkAddress);
  if (!r.caCert || !PEM.test(r.caCert))
    throw new BadRequestError(
      `cluster ${r.name}: give the cluster's CA certificate in PEM (--cacert); Wharf does not skip TLS verification`,
    );
  const hasCert = !!(r.clientCert || r.clientKey);
  if (hasCert && !(r.clientCert && PEM.test(r.clientCert) && r.clientKey && PEM.test(r.clientKey))) {
    throw new BadRequestError(
      `cluster ${r.name}: a client certificate needs both --clientcert and --clientkey in PEM`,
    );
  }
  if (!hasCert && !r.token)
    throw new BadRequestError(
      `cluster ${r.name}: give credentials: a client certificate and key (--clientcert, --clientkey) or a bearer token`,
    );
  if (r.token !== undefined && !/^[\x21-\x7e]+$/.test(r.token))
    throw new BadRequestError(
      `cluster ${r.name}: the bearer token has characters a token cannot have (spaces or control characters)`,
    );
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: r.name, server, caData: b64(r.caCert), skipTLSVerify: false }],
    users: [
      {
        name: `wharf-${r.name}`,
        ...(hasCert ? { certData: b64(r.clientCert!), keyData: b64(r.clientKey!) } : {}),
        ...(r.token ? { token: r.token } : {}),
      },
    ],
    contexts: [{ name: r.name, cluster: r.name, user: `wharf-${r.name}` }],
    currentContext: r.name,
  });
  return kc;
}

type Raw = Record<string, unknown>;

function fromKubeconfig(r: KubeClusterRecord): KubeConfig {
  let doc: Raw;
  try {
    doc = parseYaml(r.kubeconfig!) as Raw;
  } catch (e) {
    throw new BadRequestError(
      `cluster ${r.name}: the kubeconfig is not valid YAML: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  if (!doc || typeof doc !== "object")
    throw new BadRequestError(`cluster ${r.name}: the kubeconfig is empty`);
  const named = (k: string) => (Array.isArray(doc[k]) ? (doc[k] as Raw[]) : []);
  const ctxName = r.context ?? (doc["current-context"] as string | undefined);
  const ctx = named("contexts").find((c) => c.name === ctxName)?.context as Raw | undefined;
  if (!ctx)
    throw new BadRequestError(
      `cluster ${r.name}: the kubeconfig has no context "${ctxName ?? ""}"; name one with --context`,
    );
  const cluster = named("clusters").find((c) => c.name === ctx.cluster)?.cluster as Raw | undefined;
  const user = named("users").find((u) => u.name === ctx.user)?.user as Raw | undefined;
  if (!cluster)
    throw new BadRequestError(
      `cluster ${r.name}: the kubeconfig's context "${ctxName}" names cluster "${String(ctx.cluster)}", which it does not define`,
    );
  if (!user)
    throw new BadRequestError(
      `cluster ${r.name}: the kubeconfig's context "${ctxName}" names user "${String(ctx.user)}", which it does not define`,
    );
  if (cluster["insecure-skip-tls-verify"])
    throw new BadRequestError(
      `cluster ${r.name}: the kubeconfig skips TLS verification; Wharf needs the cluster's CA (certificate-authority-data)`,
    );
  for (const k of ["certificate-authority"])
    if (cluster[k])
      throw new BadRequestError(
        `cluster ${r.name}: the kubeconfig points at a file (${k}); inline it as ${k}-data (kubectl config view --raw --flatten)`,
      );
  for (const k of ["client-certificate", "client-key", "tokenFile"])
    if (user[k])
      throw new BadRequestError(
        `cluster ${r.name}: the kubeconfig points at a file (${k}); inline it (kubectl config view --raw --flatten)`,
      );
  if (user.exec || user["auth-provider"])
    throw new BadRequestError(
      `cluster ${r.name}: the kubeconfig's user authenticates through a plugin (exec or auth-provider), which Wharf does not run; give a bearer token or a client certificate`,
    );
  if (user.username || user.password)
    throw new BadRequestError(
      `cluster ${r.name}: basic authentication is not supported by Kubernetes 1.19+; give a bearer token or a client certificate`,
    );
  const dec = (v: unknown) => (typeof v === "string" ? Buffer.from(v, "base64").toString() : undefined);
  return fromFields({
    name: r.name,
    addresses: [String(cluster.server ?? "")],
    ...(dec(cluster["certificate-authority-data"])
      ? { caCert: dec(cluster["certificate-authority-data"])! }
      : {}),
    ...(dec(user["client-certificate-data"]) ? { clientCert: dec(user["client-certificate-data"])! } : {}),
    ...(dec(user["client-key-data"]) ? { clientKey: dec(user["client-key-data"])! } : {}),
    ...(typeof user.token === "string" ? { token: user.token } : {}),
  });
}

/** A validated KubeConfig for the record; a BadRequestError says what to fix. */
export function kubeConfigFor(r: KubeClusterRecord): KubeConfig {
  return r.kubeconfig ? fromKubeconfig(r) : fromFields(r);
}
