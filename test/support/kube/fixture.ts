// Test helpers around the Kubernetes API STAND-IN (server.ts): start one, connect
// Wharf's adapter to it with the admin client certificate or a token, build the small
// Deployment/Service specs the tests use, wait for a condition, and (when
// WHARF_KUBE_CALL_LOG names a file) append every request the stand-in served to it, so
// the list of API calls Wharf makes can be read off a test run.
import { appendFileSync } from "node:fs";
import type { V1Deployment, V1Service } from "@kubernetes/client-node";
import { KubernetesCluster } from "../../../src/cluster/kubernetes/index.js";
import { KubeStandIn, type StandInOptions } from "./server.js";

export async function startStandIn(
  opts: StandInOptions = {},
): Promise<{ standIn: KubeStandIn; cluster: KubernetesCluster; stop(): Promise<void> }> {
  const standIn = await new KubeStandIn({
    bookmarkIntervalMs: 300,
    crashBackoffMs: 200,
    imagePullBackoffMs: 200,
    ...opts,
  }).start();
  const cluster = KubernetesCluster.connect({
    name: "stand-in",
    addresses: [standIn.url],
    caCert: standIn.credentials.ca,
    clientCert: standIn.credentials.cert,
    clientKey: standIn.credentials.key,
  });
  return {
    standIn,
    cluster,
    async stop() {
      const log = process.env.WHARF_KUBE_CALL_LOG;
      if (log) appendFileSync(log, standIn.requests.map((r) => JSON.stringify(r)).join("\n") + "\n");
      await standIn.stop();
    },
  };
}

export function tokenCluster(standIn: KubeStandIn, token: string): KubernetesCluster {
  return KubernetesCluster.connect({
    name: "stand-in-token",
    addresses: [standIn.url],
    caCert: standIn.credentials.ca,
    token,
  });
}

/** Polls `check` until it holds; the deadline only turns a hang into a failure. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  deadlineMs = 30_000,
): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface WebOptions {
  replicas?: number;
  probePath?: string;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  progressDeadlineSeconds?: number;
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  command?: string[];
}

export function webDeployment(name: string, image: string, o: WebOptions = {}): V1Deployment {
  const labels = { "tsuru.io/app-name": name, "tsuru.io/app-process": "web" };
  return {
    metadata: { name, labels },
    spec: {
      replicas: o.replicas ?? 2,
      selector: { matchLabels: labels },
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: o.maxSurge ?? 1, maxUnavailable: o.maxUnavailable ?? 0 },
      },
      ...(o.progressDeadlineSeconds ? { progressDeadlineSeconds: o.progressDeadlineSeconds } : {}),
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: `${name}-web`,
              image,
              ports: [{ containerPort: 8888, name: "http" }],
              ...(o.env ? { env: o.env as never } : {}),
              ...(o.command ? { command: o.command } : {}),
              ...(o.probePath !== undefined
                ? {
                    readinessProbe: {
                      httpGet: { path: o.probePath, port: 8888 },
                      periodSeconds: 1,
                      failureThreshold: 1,
                    },
                  }
                : {}),
            },
          ],
        },
      },
    },
  };
}

export function webService(name: string): V1Service {
  const labels = { "tsuru.io/app-name": name, "tsuru.io/app-process": "web" };
  return {
    metadata: { name, labels },
    spec: { selector: labels, ports: [{ name: "http", port: 8888, targetPort: 8888 }] },
  };
}
