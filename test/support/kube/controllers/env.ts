// A container's environment as the kubelet builds it: literal values, keys of Secrets
// (valueFrom.secretKeyRef, envFrom.secretRef), downward-API fields; a missing Secret is
// the CreateContainerConfigError message. Part of the stand-in (see ../server.ts).
import type { Registry } from "../registry.js";
import { resourceOfKind } from "../resources.js";
import type { Any, KObject } from "../store.js";

const SECRETS = resourceOfKind("Secret");

/** The container's environment: literal values, Secret keys (env and envFrom), downward-API fields. */
export function containerEnv(reg: Registry, pod: KObject, c: Any, ip: string): Record<string, string> {
  const env: Record<string, string> = { HOSTNAME: pod.metadata.name };
  const secret = (name: string) => {
    const s = reg.store.get(SECRETS, pod.metadata.namespace, name);
    if (!s) throw new Error(`secret "${name}" not found`);
    return s;
  };
  for (const from of c.envFrom ?? []) {
    if (!from.secretRef) continue;
    const s = reg.store.get(SECRETS, pod.metadata.namespace, from.secretRef.name);
    if (!s) {
      if (from.secretRef.optional) continue;
      throw new Error(`secret "${from.secretRef.name}" not found`);
    }
    for (const [k, v] of Object.entries(s.data ?? {}))
      env[(from.prefix ?? "") + k] = Buffer.from(String(v), "base64").toString();
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const s = ref.optional ? reg.store.get(SECRETS, pod.metadata.namespace, ref.name) : secret(ref.name);
      const v = s?.data?.[ref.key];
      if (v === undefined && !ref.optional)
        throw new Error(`couldn't find key ${ref.key} in Secret ${pod.metadata.namespace}/${ref.name}`);
      if (v !== undefined) env[e.name] = Buffer.from(String(v), "base64").toString();
    } else if (e.valueFrom?.fieldRef) {
      const f = e.valueFrom.fieldRef.fieldPath;
      env[e.name] =
        f === "status.podIP"
          ? ip
          : f === "metadata.namespace"
            ? pod.metadata.namespace!
            : f === "metadata.name"
              ? pod.metadata.name
              : f === "spec.nodeName"
                ? pod.spec.nodeName
                : "";
    } else env[e.name] = "";
  }
  return env;
}
