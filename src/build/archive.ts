// Uploaded code archives are hostile input. unpackUpload streams one (gzip'd or plain tar)
// through tar-stream without ever extracting it to disk: every entry is checked (names,
// links, types, totals) and re-packed into a normalized tar file in tmpDir, owned by root with
// plain permission bits. That file is later streamed to Docker as (part of) a build context.
// Any failure removes the temp file before the error reaches the caller.
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract as tarExtract, pack as tarPack, type Header, type Pack } from "tar-stream";

type Headers = Partial<Header> & Pick<Header, "name">;
import { BadRequestError, isWharfError } from "../domain/errors.js";
import {
  checkLinkGraph,
  checkSymlinkTarget,
  normalizeEntryName,
  normalizeHardlinkTarget,
  shown,
} from "./archive-paths.js";
import type { ContextFile } from "./context.js";

export interface ArchiveLimits {
  /** Total uncompressed size of the regular files. */
  maxBytes: number;
  /** Number of entries of any kind (files, directories, links). */
  maxFiles: number;
}

export interface UnpackOptions {
  limits: ArchiveLimits;
  /** Directory the normalized tar is written to (must exist). */
  tmpDir: string;
}

/** Root-level files read while streaming, so the build can parse them without another pass. */
export const SMALL_FILES = [
  "Procfile",
  "wharf.yaml",
  "wharf.yml",
  "tsuru.yaml",
  "tsuru.yml",
  "app.yaml",
  "app.yml",
  "package.json",
  "Dockerfile",
] as const;
const SMALL_FILE_MAX = 256 * 1024;

export interface CheckedArchive {
  /** The normalized tar (uncompressed) on disk in tmpDir; removed by dispose(). */
  readonly path: string;
  /** Entries kept (root entry excluded) and total bytes of regular files. */
  readonly entries: number;
  readonly bytes: number;
  /**
   * Contents of a root-level regular file named in SMALL_FILES when it is at most 256 KiB;
   * undefined otherwise (absent, a link, a directory or larger).
   */
  readFile(name: string): Buffer | undefined;
  readText(name: string): string | undefined;
  /**
   * A fresh uncompressed tar stream for `docker build`: `extra` files first (generated
   * Dockerfile, CA bundle), then the archive's entries under `prefix` ("" or "dir/").
   * With an empty prefix, archive entries named like an extra file are left out.
   */
  contextStream(opts?: { prefix?: string; extra?: ContextFile[] }): Readable;
  /** Removes the temp file; safe to call more than once. */
  dispose(): Promise<void>;
}

const NOT_AN_ARCHIVE = "the upload is not a gzip'd tar archive";

/**
 * Checks and normalizes an uploaded archive. Rejects with BadRequestError naming the
 * offending entry for: absolute paths, `..` segments, symlinks or hard links leaving the tree,
 * entries below a symlink, devices/fifos/unknown types, more than limits.maxBytes or
 * limits.maxFiles, an empty archive, or input that is not tar/gzip. Other errors (disk full)
 * are rethrown as they are. A stream input is consumed; on failure it is destroyed.
 */
export async function unpackUpload(
  input: NodeJS.ReadableStream | Buffer,
  opts: UnpackOptions,
): Promise<CheckedArchive> {
  const { maxBytes, maxFiles } = opts.limits;
  if (!(maxBytes > 0 && maxFiles > 0)) throw new Error("archive limits must be positive");
  const path = join(opts.tmpDir, `wharf-upload-${randomBytes(8).toString("hex")}.tar`);
  const out = createWriteStream(path, { flags: "wx", mode: 0o600 });
  const closed = new Promise<void>((resolve) => out.once("close", () => resolve()));
  const outError = new Promise<never>((_, reject) => out.once("error", reject));
  outError.catch(() => undefined);
  const pack = tarPack();
  pack.pipe(out);
  try {
    const result = await Promise.race([checkAndRepack(input, pack, maxBytes, maxFiles), outError]);
    pack.finalize();
    await Promise.race([closed, outError]);
    return checkedArchive(path, result);
  } catch (err) {
    pack.destroy(null);
    out.destroy();
    await closed;
    await rm(path, { force: true });
    throw err;
  }
}

interface RepackResult {
  entries: number;
  bytes: number;
  small: Map<string, Buffer>;
}

async function checkAndRepack(
  input: NodeJS.ReadableStream | Buffer,
  pack: Pack,
  maxBytes: number,
  maxFiles: number,
): Promise<RepackResult> {
  const source = await decompressed(input);
  // Headers, pax records and padding are not file bytes, but a gzip bomb made of them must
  // still stop: allow them a generous fixed budget per entry on top of maxBytes.
  const streamBudget = maxBytes + (maxFiles + 4) * 4096 + (1 << 20);
  const counter = new ByteBudget(streamBudget, maxBytes);
  const extract = tarExtract();
  const fail = (err: Error) => extract.destroy(err);
  source.on("error", fail);
  counter.on("error", fail);
  source.pipe(counter).pipe(extract as unknown as NodeJS.WritableStream);

  const names = new Set<string>();
  const symlinks = new Map<string, string>();
  const regular = new Set<string>();
  const small = new Map<string, Buffer>();
  let entries = 0;
  let bytes = 0;
  let sawAny = false;
  try {
    for await (const entry of extract) {
      sawAny = true;
      const h = entry.header;
      const name = normalizeEntryName(h.name);
      if (++entries > maxFiles) {
        throw new BadRequestError(
          `the archive has more than ${maxFiles} entries (at ${shown(h.name)}); leave build outputs and dependencies out of the upload`,
        );
      }
      const mode = (h.mode ?? 0o644) & 0o777;
      const base = { name, mtime: h.mtime, uid: 0, gid: 0, uname: "", gname: "" };
      switch (h.type) {
        case "directory":
          if (name === "") break; // the root itself ("./")
          names.add(name);
          await addEntry(pack, { ...base, type: "directory", mode: mode | 0o700 });
          break;
        case "file":
        case "contiguous-file": {
          const size = h.size ?? 0;
          if (!Number.isSafeInteger(size) || size < 0) {
            throw new BadRequestError(
              `archive entry ${shown(h.name)} has an invalid size; repack the archive`,
            );
          }
          if (bytes + size > maxBytes) {
            throw new BadRequestError(
              `the archive unpacks to more than ${maxBytes} bytes (at ${shown(h.name)}); leave build outputs and dependencies out of the upload`,
            );
          }
          bytes += size;
          if (name === "") throw new BadRequestError(`archive entry ${shown(h.name)} has no name`);
          names.add(name);
          regular.add(name);
          const keep = (SMALL_FILES as readonly string[]).includes(name) && size <= SMALL_FILE_MAX;
          const data = await copyFile(
            pack,
            { ...base, type: "file", mode: mode | 0o400, size },
            entry as unknown as AsyncIterable<Buffer>,
            keep,
          );
          if (data) small.set(name, data);
          else small.delete(name);
          break;
        }
        case "symlink": {
          if (name === "") throw new BadRequestError(`archive entry ${shown(h.name)} has no name`);
          const target = h.linkname ?? "";
          checkSymlinkTarget(name, target);
          names.add(name);
          symlinks.set(name, target);
          small.delete(name);
          await addEntry(pack, { ...base, type: "symlink", linkname: target, mode: 0o777 });
          break;
        }
        case "link": {
          if (name === "") throw new BadRequestError(`archive entry ${shown(h.name)} has no name`);
          const target = normalizeHardlinkTarget(name, h.linkname ?? "");
          if (!regular.has(target)) {
            throw new BadRequestError(
              `hard link ${shown(name)} points to ${shown(target)}, which is not a file earlier in the archive; remove the link`,
            );
          }
          names.add(name);
          small.delete(name);
          await addEntry(pack, { ...base, type: "link", linkname: target, mode });
          break;
        }
        default:
          throw new BadRequestError(
            `archive entry ${shown(h.name)} is a ${h.type ?? "special file"}; only files, directories and links inside the app are allowed`,
          );
      }
    }
  } catch (err) {
    if (isWharfError(err)) throw err;
    if (counter.overBudget) {
      throw new BadRequestError(
        `the archive unpacks to more than ${maxBytes} bytes; leave build outputs and dependencies out of the upload`,
      );
    }
    throw new BadRequestError(
      `${NOT_AN_ARCHIVE}: ${(err as Error).message}; upload a .tar.gz of the app's directory`,
    );
  } finally {
    source.unpipe();
    if (!source.destroyed) source.destroy();
  }
  if (!sawAny) throw new BadRequestError(`the archive is empty; upload a .tar.gz of the app's directory`);
  checkLinkGraph(names, symlinks);
  return { entries: names.size, bytes, small };
}

function addEntry(pack: Pack, header: Headers): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (err) => (err ? reject(err) : resolve())));
}

async function copyFile(
  pack: Pack,
  header: Headers,
  data: AsyncIterable<Buffer>,
  keep: boolean,
): Promise<Buffer | undefined> {
  const kept: Buffer[] = [];
  let sink!: ReturnType<Pack["entry"]>;
  const done = new Promise<void>((res, rej) => {
    sink = pack.entry(header, (err) => (err ? rej(err) : res()));
  });
  for await (const chunk of data) {
    if (keep) kept.push(chunk);
    if (!sink.write(chunk)) await new Promise<void>((r) => sink.once("drain", () => r()));
  }
  sink.end(undefined);
  await done;
  return keep ? Buffer.concat(kept) : undefined;
}

/** Sniffs the first bytes: gzip magic (1f 8b) gets gunzipped, anything else is read as tar. */
async function decompressed(input: NodeJS.ReadableStream | Buffer): Promise<Readable> {
  if (Buffer.isBuffer(input)) {
    const raw = Readable.from([input]);
    return input[0] === 0x1f && input[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
  }
  const it = (input as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let ended = false;
  while (head.length < 2) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head = Buffer.concat([head, Buffer.from(r.value)]);
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield head;
    if (ended) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield Buffer.from(r.value);
  }
  const raw = Readable.from(rest());
  raw.once("close", () => void it.return?.());
  return head[0] === 0x1f && head[1] === 0x8b ? raw.pipe(createGunzip()) : raw;
}

/** Counts decompressed bytes and fails once the budget is spent (gzip bombs stop early). */
class ByteBudget extends Transform {
  overBudget = false;
  private seen = 0;
  constructor(
    private readonly budget: number,
    private readonly maxBytes: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.budget) {
      this.overBudget = true;
      cb(new BadRequestError(`the archive unpacks to more than ${this.maxBytes} bytes`));
      return;
    }
    cb(null, chunk);
  }
}

function checkedArchive(path: string, r: RepackResult): CheckedArchive {
  let disposed = false;
  return {
    path,
    entries: r.entries,
    bytes: r.bytes,
    readFile: (name) => r.small.get(name),
    readText: (name) => r.small.get(name)?.toString("utf8"),
    contextStream: (opts = {}) => {
      if (disposed) throw new Error("the archive was disposed");
      return contextStream(path, opts.prefix ?? "", opts.extra ?? []);
    },
    dispose: async () => {
      disposed = true;
      await rm(path, { force: true });
    },
  };
}

function contextStream(path: string, prefix: string, extra: ContextFile[]): Readable {
  if (prefix !== "" && !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/.test(prefix)) {
    throw new Error(`context prefix "${prefix}" must be "" or a relative directory ending in "/"`);
  }
  const reserved = new Set(extra.map((f) => f.name));
  const out = tarPack();
  const run = async () => {
    for (const f of extra) {
      await new Promise<void>((resolve, reject) =>
        out.entry({ name: f.name, mode: f.mode ?? 0o644 }, f.content, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    }
    if (prefix !== "") await addEntry(out, { name: prefix.slice(0, -1), type: "directory", mode: 0o755 });
    const ex = tarExtract();
    const file = createReadStream(path);
    file.on("error", (e) => ex.destroy(e));
    file.pipe(ex as unknown as NodeJS.WritableStream);
    for await (const entry of ex) {
      const h = entry.header;
      if (prefix === "" && reserved.has(h.name)) {
        entry.resume();
        continue;
      }
      const moved: Headers = { ...h, name: prefix + h.name };
      if (h.type === "link") moved.linkname = prefix + h.linkname;
      if (h.type === "file") await copyFile(out, moved, entry as unknown as AsyncIterable<Buffer>, false);
      else await addEntry(out, moved);
    }
    out.finalize();
  };
  run().catch((err: Error) => out.destroy(err));
  return Readable.from(out as AsyncIterable<Buffer>);
}
