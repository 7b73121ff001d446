// The tar.gz `wharf app deploy` uploads as tsuru's `file` part (reference §4.7 step 3):
// a single directory is archived with its contents at the root, several paths under
// their paths relative to the current directory. Symlinks stay links (never followed),
// ignore rules apply (ignore-rules.ts), and the archive is deterministic: entries in
// byte order, owner 0:0 without names, modes reduced to 0755/0644, so the same tree
// packs to the same bytes (mtimes are kept: build tools rely on them).
import { lstatSync, readFileSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { gzipSync } from "node:zlib";
import { pack, type Header } from "tar-stream";
import { CliError } from "../errors.js";
import { IgnoreRules } from "./ignore-rules.js";

export interface ArchiveEntry {
  /** The name inside the archive (posix separators, no leading `./`). */
  name: string;
  abs: string;
  type: "file" | "directory" | "symlink";
  mode: number;
  mtime: Date;
  size: number;
  linkname?: string;
}

export interface PackOptions {
  cwd?: string;
  /** Told about paths that are skipped (sockets, devices, FIFOs). */
  warn?: (message: string) => void;
}

function toPosix(p: string): string {
  return sep === "/" ? p : p.split(sep).join("/");
}

function entryFor(name: string, abs: string, st: Stats): ArchiveEntry | undefined {
  const base = { name, abs, mtime: st.mtime };
  const mode = st.isDirectory() || st.mode & 0o111 ? 0o755 : 0o644;
  if (st.isSymbolicLink())
    return { ...base, type: "symlink", mode: 0o777, size: 0, linkname: readlinkSync(abs) };
  if (st.isDirectory()) return { ...base, type: "directory", mode, size: 0 };
  if (st.isFile()) return { ...base, type: "file", mode, size: st.size };
  return undefined;
}

/**
 * The entries to archive for `args` (default: the current directory), in archive
 * order. Paths outside the base directory are refused: the server would reject them.
 */
export function collectEntries(args: string[], opts: PackOptions = {}): ArchiveEntry[] {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const paths = (args.length ? args : ["."]).map((a) => resolve(cwd, a));
  const stats = paths.map((p) => {
    try {
      return lstatSync(p);
    } catch {
      throw new CliError(`cannot read "${relative(cwd, p) || "."}": no such file or directory`, 2);
    }
  });
  // One directory: its contents at the root. Otherwise names relative to cwd.
  const single = paths.length === 1 && stats[0]!.isDirectory();
  const base = single ? paths[0]! : cwd;
  const rules = new IgnoreRules(base);
  const found = new Map<string, ArchiveEntry>();
  const visit = (abs: string, st: Stats): void => {
    const name = toPosix(relative(base, abs));
    if (name !== "") {
      if (rules.isIgnored(name, st.isDirectory())) return;
      const entry = entryFor(name, abs, st);
      if (!entry) {
        opts.warn?.(`skipping "${name}": only files, directories and symlinks are deployed`);
        return;
      }
      found.set(name, entry);
      if (entry.type !== "directory") return;
    }
    for (const child of readdirSync(abs)) {
      const c = join(abs, child);
      visit(c, lstatSync(c));
    }
  };
  paths.forEach((p, i) => {
    const rel = relative(base, p);
    if (rel.startsWith("..") || isAbsolute(rel)) {
      throw new CliError(
        `"${relative(cwd, p)}" is outside the current directory: run wharf app deploy from a directory that contains every path you deploy`,
        2,
      );
    }
    visit(p, stats[i]!);
  });
  const bytes = (s: string) => Buffer.from(s);
  return [...found.values()].sort((a, b) => Buffer.compare(bytes(a.name), bytes(b.name)));
}

/** A gzipped tar of the entries, byte-for-byte reproducible for the same tree. */
export async function packEntries(entries: ArchiveEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((resolvePromise, reject) => {
    p.on("end", resolvePromise);
    p.on("error", reject);
  });
  for (const e of entries) {
    const header: Partial<Header> & { name: string } = {
      name: e.name,
      type: e.type,
      mode: e.mode,
      mtime: e.mtime,
      uid: 0,
      gid: 0,
      uname: "",
      gname: "",
    };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    // Files carry their bytes (size taken from what was read); other entries none.
    const content = e.type === "file" ? readFileSync(e.abs) : Buffer.alloc(0);
    await new Promise<void>((resolvePromise, reject) =>
      p.entry({ ...header, size: content.length }, content, (err) => (err ? reject(err) : resolvePromise())),
    );
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export interface Archive {
  data: Buffer;
  entries: ArchiveEntry[];
}

/** Collects and packs; refuses an empty archive, which could only deploy nothing. */
export async function buildArchive(args: string[], opts: PackOptions = {}): Promise<Archive> {
  const entries = collectEntries(args, opts);
  if (!entries.some((e) => e.type !== "directory")) {
    throw new CliError(
      "nothing to deploy: the paths given hold no files once .wharfignore/.tsuruignore rules apply",
      2,
    );
  }
  return { data: await packEntries(entries), entries };
}
