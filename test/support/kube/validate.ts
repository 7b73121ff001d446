// Validation the real API server does on the fields Wharf sends (names, labels,
// selectors against template labels, containers, ports, Secret types), answered as
// 422 Invalid with field paths. Part of the stand-in (see server.ts).
import { matchesLabels, selectorSpecToRequirements } from "./selectors.js";
import type { Any, KObject } from "./store.js";

export interface Cause {
  field: string;
  message: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function name(obj: KObject, out: Cause[]): void {
  const n = obj.metadata.name ?? "";
  const label = obj.kind === "Namespace";
  const service = obj.kind === "Service";
  const ok = service
    ? DNS1035_LABEL.test(n) && n.length <= 63
    : label
      ? DNS1123_LABEL.test(n) && n.length <= 63
      : DNS1123_SUBDOMAIN.test(n) && n.length <= 253;
  if (!ok) {
    const what = service
      ? "a DNS-1035 label"
      : label
        ? "a lowercase RFC 1123 label"
        : "a lowercase RFC 1123 subdomain";
    out.push({
      field: "metadata.name",
      message: `Invalid value: "${n}": ${what} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    });
  }
}

function labels(path: string, l: Record<string, string> | undefined, out: Cause[]): void {
  for (const [k, v] of Object.entries(l ?? {})) {
    const nm = k.includes("/") ? k.slice(k.lastIndexOf("/") + 1) : k;
    if (!LABEL_NAME.test(nm) || nm.length > 63)
      out.push({
        field: path,
        message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    if (typeof v !== "string" || !LABEL_VALUE.test(v) || v.length > 63)
      out.push({
        field: `${path}`,
        message: `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
      });
  }
}

function podSpec(path: string, spec: Any, out: Cause[]): void {
  const containers: Any[] = spec?.containers ?? [];
  if (containers.length === 0) out.push({ field: `${path}.containers`, message: "Required value" });
  const seen = new Set<string>();
  containers.forEach((c, i) => {
    const p = `${path}.containers[${i}]`;
    if (!c.name || !DNS1123_LABEL.test(c.name))
      out.push({
        field: `${p}.name`,
        message: c.name ? `Invalid value: "${c.name}": a lowercase RFC 1123 label` : "Required value",
      });
    else if (seen.has(c.name)) out.push({ field: `${p}.name`, message: `Duplicate value: "${c.name}"` });
    seen.add(c.name);
    if (!c.image) out.push({ field: `${p}.image`, message: "Required value" });
    for (const [j, port] of (c.ports ?? []).entries()) {
      if (!(port.containerPort >= 1 && port.containerPort <= 65535))
        out.push({
          field: `${p}.ports[${j}].containerPort`,
          message: `Invalid value: ${port.containerPort}: must be between 1 and 65535, inclusive`,
        });
    }
    for (const [j, e] of (c.env ?? []).entries())
      if (!e.name) out.push({ field: `${p}.env[${j}].name`, message: "Required value" });
  });
  for (const [i, s] of (spec?.imagePullSecrets ?? []).entries())
    if (!s.name) out.push({ field: `${path}.imagePullSecrets[${i}].name`, message: "Required value" });
}

function workload(obj: KObject, out: Cause[]): void {
  const spec = obj.spec ?? {};
  if (!spec.selector) {
    out.push({ field: "spec.selector", message: "Required value" });
    return;
  }
  const reqs = selectorSpecToRequirements(spec.selector);
  if (reqs.length === 0)
    out.push({ field: "spec.selector", message: "Invalid value: empty selector is invalid for deployment" });
  labels("spec.template.metadata.labels", spec.template?.metadata?.labels, out);
  if (!matchesLabels(reqs, spec.template?.metadata?.labels)) {
    out.push({
      field: "spec.template.metadata.labels",
      message: `Invalid value: ${JSON.stringify(spec.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
    });
  }
  if (spec.replicas !== undefined && !(Number.isInteger(spec.replicas) && spec.replicas >= 0))
    out.push({
      field: "spec.replicas",
      message: `Invalid value: ${spec.replicas}: must be greater than or equal to 0`,
    });
  podSpec("spec.template.spec", spec.template?.spec, out);
  const ru = spec.strategy?.rollingUpdate;
  if (obj.kind === "Deployment" && ru && isZero(ru.maxSurge) && isZero(ru.maxUnavailable)) {
    out.push({
      field: "spec.strategy.rollingUpdate.maxUnavailable",
      message: "Invalid value: 0: may not be 0 when `maxSurge` is 0",
    });
  }
}

const isZero = (v: unknown) => v === 0 || v === "0" || v === "0%";

export function validate(obj: KObject): Cause[] {
  const out: Cause[] = [];
  name(obj, out);
  labels("metadata.labels", obj.metadata.labels, out);
  switch (obj.kind) {
    case "Deployment":
    case "ReplicaSet":
    case "DaemonSet":
      workload(obj, out);
      break;
    case "Pod":
      podSpec("spec", obj.spec, out);
      break;
    case "Service": {
      const ports: Any[] = obj.spec?.ports ?? [];
      if (ports.length === 0 && obj.spec?.clusterIP !== "None")
        out.push({ field: "spec.ports", message: "Required value" });
      ports.forEach((p, i) => {
        if (!(p.port >= 1 && p.port <= 65535))
          out.push({
            field: `spec.ports[${i}].port`,
            message: `Invalid value: ${p.port}: must be between 1 and 65535, inclusive`,
          });
        if (ports.length > 1 && !p.name)
          out.push({ field: `spec.ports[${i}].name`, message: "Required value" });
      });
      break;
    }
    case "Secret":
      if (obj.type === "kubernetes.io/dockerconfigjson") {
        const raw = obj.data?.[".dockerconfigjson"];
        let ok = false;
        try {
          ok =
            typeof raw === "string" && typeof JSON.parse(Buffer.from(raw, "base64").toString()) === "object";
        } catch {
          ok = false;
        }
        if (!ok)
          out.push({
            field: "data[.dockerconfigjson]",
            message: raw
              ? 'Invalid value: "<secret contents redacted>": invalid character looking for beginning of value'
              : "Required value",
          });
      }
      for (const k of Object.keys(obj.data ?? {})) {
        if (!/^[-._a-zA-Z0-9]+$/.test(k))
          out.push({
            field: "data[" + k + "]",
            message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
          });
      }
      break;
  }
  return out;
}

/** Fields a PUT may not change, as Kubernetes declares them immutable. */
export function immutableChanges(prev: KObject, next: KObject): Cause[] {
  const out: Cause[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (
    (next.kind === "Deployment" || next.kind === "ReplicaSet" || next.kind === "DaemonSet") &&
    !same(prev.spec?.selector, next.spec?.selector)
  ) {
    out.push({
      field: "spec.selector",
      message: `Invalid value: ${JSON.stringify(next.spec?.selector)}: field is immutable`,
    });
  }
  if (
    next.kind === "Service" &&
    prev.spec?.clusterIP &&
    next.spec?.clusterIP &&
    prev.spec.clusterIP !== next.spec.clusterIP
  ) {
    out.push({ field: "spec.clusterIPs[0]", message: "Invalid value: field is immutable" });
  }
  if (next.kind === "Secret" && prev.type !== next.type)
    out.push({ field: "type", message: "Invalid value: field is immutable" });
  return out;
}
