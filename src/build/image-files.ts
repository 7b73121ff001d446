// Reading small files out of an image without running any of its code: the image is put in a
// created, never started container and each file is copied out (GET /containers/{id}/archive).
// tsuru runs `cat` in a container of the image instead; copying keeps a hostile image's
// entrypoint, shell or binaries out of it. The image is user input: only a regular file of at
// most 256 KiB counts (a symlink, directory or larger file is passed over).
import { randomBytes } from "node:crypto";
import type { Engine } from "../cluster/docker/engine.js";
import { isNotFound } from "../cluster/docker/types.js";
import { extract as tarExtract } from "tar-stream";
import { BUILD_LABEL } from "./build-run.js";

export const MAX_IMAGE_FILE_BYTES = 256 * 1024;

export interface ImageFile {
  /** Absolute path inside the image. */
  name: string;
  text: string;
}

export interface ImageFiles {
  /** The first of `paths` that is a small regular file in the image, else undefined. */
  first(paths: readonly string[]): Promise<ImageFile | undefined>;
}

/** The single entry of a one-file archive when it is a small regular file, else undefined. */
async function regularFile(stream: NodeJS.ReadableStream): Promise<Buffer | undefined> {
  const ex = tarExtract();
  let found: Buffer | undefined;
  let first = true;
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (h, body, next) => {
      const take = first && h.type === "file" && (h.size ?? 0) <= MAX_IMAGE_FILE_BYTES;
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

/**
 * Runs `use` with a reader of the image's files; every read shares one created container,
 * which is removed when `use` settles.
 */
export async function withImageFiles<T>(
  engine: Engine,
  image: string,
  app: string,
  use: (files: ImageFiles) => Promise<T>,
): Promise<T> {
  const id = await engine.containers.create({
    Image: image,
    name: `wharf-files-${randomBytes(6).toString("hex")}`,
    // Never started; an entrypoint is still needed for images that have none.
    Entrypoint: ["/bin/true"],
    Cmd: [],
    NetworkDisabled: true,
    // A crash before the removal leaves it to the startup sweep of build containers.
    Labels: { [BUILD_LABEL]: app },
  });
  const files: ImageFiles = {
    async first(paths) {
      for (const path of paths) {
        let stream: NodeJS.ReadableStream;
        try {
          stream = await engine.containers.archive(id, path);
        } catch (err) {
          if (isNotFound(err)) continue;
          throw err;
        }
        const content = await regularFile(stream);
        if (content) return { name: path, text: content.toString("utf8") };
      }
      return undefined;
    },
  };
  try {
    return await use(files);
  } finally {
    await engine.containers.remove(id, { force: true }).catch(() => undefined);
  }
}
