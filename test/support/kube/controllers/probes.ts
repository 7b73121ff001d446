// Readiness probes as the kubelet runs them: httpGet is a real HTTP request to the
// pod's address (kube-probe user agent, 2xx/3xx pass), tcpSocket a real connect; exec
// probes would run inside the container, and the stand-in counts them as passing.
// Part of the stand-in (see ../server.ts).
import { connect } from "node:net";
import type { Any } from "../store.js";

/** Runs one probe against the pod's address; undefined on success, else the kubelet's failure text. */
export async function runProbe(p: Any, c: Any, ip: string): Promise<string | undefined> {
  const portOf = (port: Any) =>
    typeof port === "number"
      ? port
      : Number((c.ports ?? []).find((x: Any) => x.name === port)?.containerPort ?? port);
  const timeout = (p.timeoutSeconds ?? 1) * 1000;
  if (p.httpGet) {
    const port = portOf(p.httpGet.port);
    const host = p.httpGet.host ?? ip;
    const url = `http://${host}:${port}${p.httpGet.path ?? "/"}`;
    try {
      const res = await fetch(url, {
        signal: AbortSignal.timeout(timeout),
        headers: { "User-Agent": "kube-probe/1.24" },
      });
      await res.arrayBuffer();
      return res.status >= 200 && res.status < 400
        ? undefined
        : `HTTP probe failed with statuscode: ${res.status}`;
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      return cause === "ECONNREFUSED"
        ? `Get "${url}": dial tcp ${host}:${port}: connect: connection refused`
        : `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
    }
  }
  if (p.tcpSocket) {
    const port = portOf(p.tcpSocket.port);
    return new Promise((resolve) => {
      const s = connect({ host: p.tcpSocket.host ?? ip, port, timeout }, () => {
        s.destroy();
        resolve(undefined);
      });
      s.on("error", () => resolve(`dial tcp ${ip}:${port}: connect: connection refused`));
      s.on("timeout", () => {
        s.destroy();
        resolve(`dial tcp ${ip}:${port}: i/o timeout`);
      });
    });
  }
  // exec probes would run inside the container; the stand-in counts them as passing.
  return undefined;
}
