// Authentication (client certificates from the stand-in's CA, bearer tokens) and an
// RBAC-style authorizer. A principal without rules is a cluster admin; one with rules
// may do only what a rule grants, and is refused with the API server's 403 wording.
// Part of the stand-in (see server.ts).
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";

export interface Rule {
  verbs: string[];
  /** Plural resource names, "pods/exec" for a subresource, "*" for all. */
  resources: string[];
  /** Namespaces the rule applies in; absent = every namespace and the cluster scope. */
  namespaces?: string[];
}

export interface Principal {
  name: string;
  groups: string[];
  rules?: Rule[];
}

export class Authenticator {
  private readonly tokens = new Map<string, Principal>();
  private readonly certRules = new Map<string, Rule[]>();

  addToken(token: string, p: Principal): void {
    this.tokens.set(token, p);
  }

  /** Restricts what a client-certificate user (by CN) may do. */
  restrictCertUser(cn: string, rules: Rule[]): void {
    this.certRules.set(cn, rules);
  }

  /** The caller, or undefined when no valid credential was presented (401). */
  authenticate(req: IncomingMessage): Principal | undefined {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      return m ? this.tokens.get(m[1]!) : undefined;
    }
    const sock = req.socket as TLSSocket;
    if (typeof sock.getPeerCertificate === "function" && sock.authorized) {
      const cert = sock.getPeerCertificate();
      const cn = cert?.subject?.CN;
      if (typeof cn === "string" && cn) {
        const o = cert.subject.O;
        const groups = [...(Array.isArray(o) ? o : o ? [o] : []), "system:authenticated"];
        const rules = this.certRules.get(cn);
        return { name: cn, groups, ...(rules ? { rules } : {}) };
      }
    }
    return undefined;
  }
}

export function authorize(
  p: Principal,
  verb: string,
  resource: string,
  namespace: string | undefined,
): boolean {
  if (!p.rules) return true;
  return p.rules.some(
    (r) =>
      (r.verbs.includes("*") || r.verbs.includes(verb)) &&
      (r.resources.includes("*") || r.resources.includes(resource)) &&
      (r.namespaces === undefined || (namespace !== undefined && r.namespaces.includes(namespace))),
  );
}
