// Container helpers the image tests share.
import type Docker from "dockerode";
import { BUILD_LABEL } from "../../src/build/build-run.js";

/** Runs a throwaway container (Tty, so output is raw) and returns what it printed. */
export async function runOnce(docker: Docker, image: string, cmd?: string[]): Promise<string> {
  const c = await docker.createContainer({ Image: image, Tty: true, ...(cmd ? { Cmd: cmd } : {}) });
  try {
    await c.start();
    await c.wait();
    return (await c.logs({ stdout: true, stderr: true })).toString().replace(/\r/g, "");
  } finally {
    await c.remove({ force: true });
  }
}

/** Build containers (Wharf's build label) on the engine, in any state. */
export async function buildContainers(docker: Docker): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: JSON.stringify({ label: [BUILD_LABEL] }) });
}
