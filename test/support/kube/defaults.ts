// Defaulting as the real API server applies it on create and update (the fields a
// client reads back and may compare), for the kinds the stand-in serves.
// Part of the stand-in (see server.ts).
import type { Any, KObject } from "./store.js";

function probe(p: Any): void {
  if (!p) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet) p.httpGet.scheme ??= "HTTP";
}

function container(c: Any): void {
  const tag = /:([^/:]+)$/.exec(String(c.image ?? ""))?.[1];
  c.imagePullPolicy ??= !tag || tag === "latest" ? "Always" : "IfNotPresent";
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= "TCP";
  probe(c.readinessProbe);
  probe(c.livenessProbe);
  probe(c.startupProbe);
}

export function defaultPodSpec(spec: Any): void {
  if (!spec) return;
  spec.restartPolicy ??= "Always";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= "default-scheduler";
  spec.securityContext ??= {};
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) container(c);
}

const rollingDefaults = (s: Any) => {
  s.type ??= "RollingUpdate";
  if (s.type === "RollingUpdate") {
    s.rollingUpdate ??= {};
    s.rollingUpdate.maxSurge ??= "25%";
    s.rollingUpdate.maxUnavailable ??= "25%";
  }
};

let nextClusterIp = 1;
let nextNodePort = 30000;

export function applyDefaults(obj: KObject): void {
  const spec = obj.spec;
  switch (obj.kind) {
    case "Namespace":
      obj.metadata.labels = { ...obj.metadata.labels, "kubernetes.io/metadata.name": obj.metadata.name };
      obj.spec = { finalizers: ["kubernetes"], ...spec };
      obj.status ??= { phase: "Active" };
      break;
    case "Pod":
      defaultPodSpec(spec);
      spec.serviceAccountName ??= "default";
      spec.serviceAccount ??= spec.serviceAccountName;
      spec.enableServiceLinks ??= true;
      spec.priority ??= 0;
      spec.tolerations ??= [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ];
      obj.status ??= { phase: "Pending", qosClass: "BestEffort" };
      break;
    case "Deployment":
      spec.replicas ??= 1;
      spec.strategy ??= {};
      rollingDefaults(spec.strategy);
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      defaultPodSpec(spec.template?.spec);
      break;
    case "ReplicaSet":
      spec.replicas ??= 1;
      defaultPodSpec(spec.template?.spec);
      break;
    case "DaemonSet":
      spec.updateStrategy ??= { type: "RollingUpdate" };
      if (spec.updateStrategy.type === "RollingUpdate")
        spec.updateStrategy.rollingUpdate ??= { maxUnavailable: 1, maxSurge: 0 };
      spec.revisionHistoryLimit ??= 10;
      defaultPodSpec(spec.template?.spec);
      break;
    case "Service": {
      spec.type ??= "ClusterIP";
      spec.sessionAffinity ??= "None";
      if (spec.clusterIP === undefined) {
        // Cluster IPs are bookkeeping only: nothing is ever sent to them.
        const n = nextClusterIp++;
        spec.clusterIP = `10.96.${(n >> 8) & 255}.${n & 255}`;
      }
      spec.clusterIPs ??= [spec.clusterIP];
      spec.ipFamilies ??= ["IPv4"];
      spec.ipFamilyPolicy ??= "SingleStack";
      spec.internalTrafficPolicy ??= "Cluster";
      for (const p of spec.ports ?? []) {
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
        if ((spec.type === "NodePort" || spec.type === "LoadBalancer") && p.nodePort === undefined)
          p.nodePort = nextNodePort++;
      }
      if (spec.type === "NodePort" || spec.type === "LoadBalancer") spec.externalTrafficPolicy ??= "Cluster";
      obj.status ??= { loadBalancer: {} };
      break;
    }
    case "Secret":
      obj.type ??= "Opaque";
      if (obj.stringData) {
        obj.data ??= {};
        for (const [k, v] of Object.entries(obj.stringData))
          obj.data[k] = Buffer.from(String(v)).toString("base64");
        delete obj.stringData;
      }
      break;
  }
}
