// tsuru.yaml inside an image, for image deploys (tsuru's "Getting tsuru.yaml from image"):
// tsuru.yml, tsuru.yaml, app.yml or app.yaml in /home/application/current, /app/user or /,
// the first found. tsuru runs `cat` in a container of the image; here the file is copied out
// of a created, never started container (GET /containers/{id}/archive), so none of the
// image's code runs. The image is user input: only a regular file of at most 256 KiB counts.
import { randomBytes } from "node:crypto";
import type Docker from "dockerode";
import { extract as tarExtract } from "tar-stream";
import { BUILD_LABEL } from "./build-run.js";

export const IMAGE_YAML_DIRS = ["/home/application/current", "/app/user", ""];
export const IMAGE_YAML_NAMES = ["tsuru.yml", "tsuru.yaml", "app.yml", "app.yaml"];
const MAX_BYTES = 256 * 1024;

/** The single entry of a one-file archive when it is a small regular file, else undefined. */
async function regularFile(stream: NodeJS.ReadableStream): Promise<Buffer | undefined> {
  const ex = tarExtract();
  let found: Buffer | undefined;
  let first = true;
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, body, next) => {
      const take = first && h.type === "file" && (h.size ?? 0) <= MAX_BYTES;
      first = false;
      const chunks: Buffer[] = [];
      body.on("data", (c: unknown) => {
        if (take) chunks.push(c as Buffer);
      });
      body.on("end", () => {
        if (take) found = Buffer.concat(chunks);
        next();
      });
      body.resume();
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  await done;
  return found;
}

/** The image's app YAML (its path and text), or undefined when it has none. */
export async function readImageAppYaml(
  engine: Docker,
  image: string,
  app: string,
): Promise<{ name: string; text: string } | undefined> {
  const c = await engine.createContainer({
    Image: image,
    name: `wharf-yaml-${randomBytes(6).toString("hex")}`,
    // Never started; an entrypoint is still needed for images that have none.
    Entrypoint: ["/bin/true"],
    Cmd: [],
    NetworkDisabled: true,
    // A crash before the removal leaves it to the startup sweep of build containers.
    Labels: { [BUILD_LABEL]: app },
  });
  try {
    for (const dir of IMAGE_YAML_DIRS) {
      for (const name of IMAGE_YAML_NAMES) {
        const path = `${dir}/${name}`;
        let stream: NodeJS.ReadableStream;
        try {
          stream = await c.getArchive({ path });
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) continue;
          throw err;
        }
        const content = await regularFile(stream);
        if (content) return { name: path, text: content.toString("utf8") };
      }
    }
    return undefined;
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}
