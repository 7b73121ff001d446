// The simulated container runtime of the stand-in's kubelet. A pod gets its own
// loopback address (127.77.x.y, so several pods can listen on the same port and a
// router on this machine reaches each one by its pod IP); a "serve" container is an
// HTTP backend on that address at each containerPort, a "command" container is the
// container's command run as a local process with PORT and HOST set, a "crash"
// container exits at once. Part of the stand-in (see server.ts).
import { createServer, type Server } from "node:http";
import type { ImageBehaviour } from "./images.js";
import type { LogBook } from "./logs.js";
import { startProcess, type LocalProcess } from "./process.js";
import type { Any } from "./store.js";

let nextIp = 0;

/** A fresh pod address in 127.77.0.0/16 (never .0 or .255 in the last octet). */
export function allocatePodIp(): string {
  const n = nextIp++;
  return `127.77.${1 + (Math.floor(n / 254) % 254)}.${1 + (n % 254)}`;
}

export interface RunningContainer {
  stop(): Promise<void>;
  process?: LocalProcess;
}

export interface ContainerContext {
  podUid: string;
  podName: string;
  ip: string;
  container: Any;
  env: Record<string, string>;
  cwd: string;
  behaviour: ImageBehaviour;
  logs: LogBook;
  /** Paths the readiness probe of this container asks for. */
  probePaths: string[];
  onExit(code: number): void;
}

export async function startContainer(c: ContainerContext): Promise<RunningContainer> {
  const name = c.container.name as string;
  const log = (text: string) => c.logs.append(c.podUid, name, text);
  c.logs.started(c.podUid, name);
  const run = c.behaviour.run ?? "serve";
  if (run === "crash") {
    log(`stand-in: image ${c.container.image} exits with code ${c.behaviour.exitCode ?? 1}`);
    queueMicrotask(() => c.onExit(c.behaviour.exitCode ?? 1));
    return { stop: async () => {} };
  }
  if (run === "command") {
    const argv = [...(c.container.command ?? []), ...(c.container.args ?? [])];
    if (argv.length === 0) {
      log("stand-in: the container has no command to run");
      setTimeout(() => c.onExit(127), 0);
      return { stop: async () => {} };
    }
    const port = c.container.ports?.[0]?.containerPort;
    const p = startProcess(
      argv,
      { ...c.env, HOST: c.ip, ...(port ? { PORT: String(port) } : {}) },
      c.cwd,
      !!c.container.tty,
    );
    p.child.stdout?.on("data", (d: Buffer) => log(d.toString()));
    p.child.stderr?.on("data", (d: Buffer) => log(d.toString()));
    if (!c.container.stdin) p.child.stdin?.end();
    p.exited.then(c.onExit, (e: Error) => {
      log(`exec: ${e.message}`);
      c.onExit(127);
    });
    return {
      process: p,
      stop: async () => {
        if (p.child.exitCode === null) p.child.kill("SIGTERM");
        await p.exited.catch(() => 0);
      },
    };
  }
  const servers: Server[] = [];
  for (const port of c.container.ports ?? []) {
    if ((port.protocol ?? "TCP") !== "TCP") continue;
    const server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0]!;
      const failing = c.behaviour.ready === false && c.probePaths.includes(path);
      const code = failing ? 503 : 200;
      log(`${req.method} ${req.url} ${code}`);
      res.writeHead(code, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          pod: c.podName,
          container: name,
          image: c.container.image,
          ip: c.ip,
          port: port.containerPort,
          path,
        }),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port.containerPort, c.ip, () => resolve());
    });
    log(`serving HTTP on ${c.ip}:${port.containerPort}`);
    servers.push(server);
  }
  return {
    stop: async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
