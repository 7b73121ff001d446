// Runs one command on a node's host, through its Docker API only (nodes are remote): a
// short-lived container on the host network with NET_ADMIN and the host's root mounted,
// chrooted into it, so the node's own iptables (the nft or legacy variant its dockerd uses)
// does the work. Input goes in as a file, not an environment variable (no size limit, not in
// `docker inspect`). The container is Wharf's own, with a fixed command; tenants never get one.
import type Docker from "dockerode";
import { pack } from "tar-stream";
import type { Connection } from "./connection.js";

export const HOST_COMMAND_LABEL = "wharf.host-command";
const INPUT_FILE = "/wharf-input";

export interface HostCommandResult {
  exitCode: number;
  output: string;
}

export interface HostCommandOptions {
  image: string;
  purpose: string;
  script: string;
  input: string;
}

/** Commands on the node's host itself (network walls), through its engine. */
export interface HostClient {
  run(o: HostCommandOptions): Promise<HostCommandResult>;
  /** Removes host-command containers a killed caller left behind (they finished on their own). */
  removeLeftovers(purpose: string): Promise<void>;
}

export function hostClient(c: Connection): HostClient {
  return {
    run: (o) => runOnHost(c.quiet, o),
    removeLeftovers: (purpose) => removeLeftoverHostCommands(c.docker, purpose),
  };
}

async function removeLeftoverHostCommands(engine: Docker, purpose: string): Promise<void> {
  const left = await engine.listContainers({
    all: true,
    filters: JSON.stringify({
      label: [`${HOST_COMMAND_LABEL}=${purpose}`],
      status: ["exited", "created", "dead"],
    }),
  });
  for (const c of left)
    await engine
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
}

/**
 * Runs `script` with /bin/sh inside the node's root, stdin = `input`. The helper image needs
 * only `sh` and `chroot` (busybox or Wharf's base image).
 */
async function runOnHost(engine: Docker, o: HostCommandOptions): Promise<HostCommandResult> {
  const c = await engine.createContainer({
    Image: o.image,
    Labels: { [HOST_COMMAND_LABEL]: o.purpose },
    // The container's sh opens the input, then chroot keeps it as stdin of the host's sh.
    Entrypoint: ["/bin/sh", "-c", `exec chroot /host /bin/sh -c "$0" < ${INPUT_FILE}`, o.script],
    Cmd: [],
    Tty: true,
    HostConfig: {
      NetworkMode: "host",
      CapAdd: ["NET_ADMIN", "NET_RAW"],
      Binds: ["/:/host"],
      RestartPolicy: { Name: "no" },
      LogConfig: { Type: "json-file", Config: {} },
    },
  });
  try {
    await c.putArchive(await oneFileTar(INPUT_FILE.slice(1), o.input), { path: "/" });
    await c.start();
    const { StatusCode } = (await c.wait()) as { StatusCode: number };
    const output = (await c.logs({ stdout: true, stderr: true })).toString().replace(/\r/g, "");
    return { exitCode: StatusCode, output };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

function oneFileTar(name: string, content: string): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => void chunks.push(c as Buffer));
  return new Promise((resolve, reject) => {
    p.on("end", () => resolve(Buffer.concat(chunks)));
    p.on("error", reject);
    p.entry({ name, mode: 0o600 }, content, (err) => (err ? reject(err) : p.finalize()));
  });
}
