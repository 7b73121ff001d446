// A multipart `file` part (a deploy's code archive, up to the upload limit) goes to a temp
// file as it arrives instead of into memory: the archive check later streams it from disk.
// The file is removed when the response closes (whatever happened) and at server start.
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { MultipartFile } from "@fastify/multipart";

/** A file part on disk; what handlers get in req.body instead of a Buffer. */
export class SpooledFile {
  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {}

  open(): Readable {
    return createReadStream(this.path);
  }

  /** Removes the file; safe to call more than once. */
  async dispose(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

/** The error @fastify/multipart raises for a file over its limit (413 in src/api/errors.ts). */
function tooLarge(): Error {
  return Object.assign(new Error("request file too large"), {
    code: "FST_REQ_FILE_TOO_LARGE",
    statusCode: 413,
  });
}

/** Writes the part to `dir` (mode 0600); over the multipart file size limit it is a 413. */
export async function spoolFilePart(part: MultipartFile, dir: string): Promise<SpooledFile> {
  const path = join(dir, `wharf-raw-${randomBytes(8).toString("hex")}`);
  const out = createWriteStream(path, { flags: "wx", mode: 0o600 });
  try {
    await pipeline(part.file, out);
    if (part.file.truncated) throw tooLarge();
  } catch (err) {
    await rm(path, { force: true });
    throw err;
  }
  return new SpooledFile(path, out.bytesWritten);
}
