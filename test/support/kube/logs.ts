// Container logs kept by the simulated kubelet and served on pods/log with the real
// query parameters (container, follow, tailLines, timestamps, sinceSeconds, limitBytes,
// previous) and the real 400s for a container that has not started.
// Part of the stand-in (see server.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest } from "./status.js";
import type { Any, KObject } from "./store.js";

interface Line {
  time: Date;
  text: string;
  run: number;
}

interface ContainerLog {
  lines: Line[];
  run: number;
  followers: Set<(l: Line | null) => void>;
}

export class LogBook {
  private readonly logs = new Map<string, ContainerLog>();

  private entry(uid: string, container: string): ContainerLog {
    const k = `${uid}/${container}`;
    let e = this.logs.get(k);
    if (!e) this.logs.set(k, (e = { lines: [], run: 0, followers: new Set() }));
    return e;
  }

  /** A container (re)started: later lines belong to the new run. */
  started(uid: string, container: string): void {
    this.entry(uid, container).run++;
  }

  append(uid: string, container: string, text: string): void {
    const e = this.entry(uid, container);
    for (const t of text.replace(/\n$/, "").split("\n")) {
      const line = { time: new Date(), text: t, run: e.run };
      e.lines.push(line);
      if (e.lines.length > 5000) e.lines.shift();
      for (const f of e.followers) f(line);
    }
  }

  /** The container's run ended: followers' streams end, as `kubectl logs -f` does. */
  ended(uid: string, container: string): void {
    const e = this.entry(uid, container);
    for (const f of [...e.followers]) f(null);
  }

  /** Calls `fn` with each new line of a container's output, and null when its run ends. */
  follow(uid: string, container: string, fn: (line: string | null) => void): () => void {
    const e = this.entry(uid, container);
    const f = (l: Line | null) => fn(l === null ? null : l.text);
    e.followers.add(f);
    return () => e.followers.delete(f);
  }

  forget(uid: string): void {
    for (const k of [...this.logs.keys()]) {
      if (k.startsWith(uid + "/")) {
        for (const f of [...this.logs.get(k)!.followers]) f(null);
        this.logs.delete(k);
      }
    }
  }

  serve(pod: KObject, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const containers: string[] = (pod.spec?.containers ?? []).map((c: Any) => c.name);
    let name = q.get("container") ?? undefined;
    if (!name) {
      if (containers.length !== 1)
        throw badRequest(
          `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(" ")}]`,
        );
      name = containers[0]!;
    }
    if (!containers.includes(name))
      throw badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
    const st = (pod.status?.containerStatuses ?? []).find((s: Any) => s.name === name);
    const e = this.entry(pod.metadata.uid, name);
    if (!st || (st.state?.waiting && e.run === 0)) {
      const reason = st?.state?.waiting?.reason ?? "ContainerCreating";
      const why =
        reason === "ErrImagePull" || reason === "ImagePullBackOff"
          ? "trying and failing to pull image"
          : reason;
      throw badRequest(`container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${why}`);
    }
    const previous = q.get("previous") === "true";
    const run = previous ? e.run - 1 : e.run;
    if (previous && run < 1)
      throw badRequest(`previous terminated container "${name}" in pod "${pod.metadata.name}" not found`);
    const stamps = q.get("timestamps") === "true";
    const since = q.get("sinceSeconds")
      ? Date.now() - Number(q.get("sinceSeconds")) * 1000
      : q.get("sinceTime")
        ? Date.parse(q.get("sinceTime")!)
        : 0;
    let budget = q.get("limitBytes") ? Number(q.get("limitBytes")) : Infinity;
    const format = (l: Line) =>
      (stamps ? `${l.time.toISOString().replace("Z", "000000Z")} ` : "") + l.text + "\n";
    let lines = e.lines.filter((l) => l.run === run && l.time.getTime() >= since);
    const tail = q.get("tailLines");
    if (tail !== null) lines = lines.slice(Math.max(0, lines.length - Number(tail)));
    res.writeHead(200, { "Content-Type": "text/plain", "Transfer-Encoding": "chunked" });
    const write = (l: Line) => {
      if (budget <= 0) return false;
      const chunk = Buffer.from(format(l)).subarray(0, budget);
      budget -= chunk.length;
      res.write(chunk);
      return budget > 0;
    };
    for (const l of lines) if (!write(l)) return void res.end();
    const running = !!st.state?.running;
    if (q.get("follow") !== "true" || previous || !running) return void res.end();
    const follower = (l: Line | null) => {
      if (l === null || !write(l)) {
        e.followers.delete(follower);
        res.end();
      }
    };
    e.followers.add(follower);
    req.on("close", () => e.followers.delete(follower));
  }
}
