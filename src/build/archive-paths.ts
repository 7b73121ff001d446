// Path rules for uploaded archives, kept pure so every hostile case is testable without tar.
// Entry names and link targets are checked lexically, and links are then resolved the way
// the kernel would (following links that are themselves in the archive), because a chain of
// individually harmless links (`a -> .`, `b -> a/..`) can still point outside the tree.
import { BadRequestError } from "../domain/errors.js";

const MAX_NAME = 4096;
const MAX_LINK_HOPS = 40;

/** Shortens user-controlled text before it goes into an error sentence. */
export function shown(name: string): string {
  // Control characters would garble the error sentence (and terminals showing it).
  const clean = [...name].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? "?" : c)).join("");
  return JSON.stringify(clean.length > 200 ? `${clean.slice(0, 200)}...` : clean);
}

/**
 * Normalizes an entry name to `a/b/c` (no leading `./`, no trailing or doubled `/`), or
 * returns "" for the archive root itself. Rejects absolute names and `..` segments.
 */
export function normalizeEntryName(raw: string): string {
  if (raw.length > MAX_NAME || raw.includes("\0")) {
    throw new BadRequestError(`archive entry ${shown(raw)} has an invalid name; repack the archive`);
  }
  if (raw.startsWith("/") || /^[A-Za-z]:[\\/]/.test(raw)) {
    throw new BadRequestError(
      `archive entry ${shown(raw)} has an absolute path; pack paths relative to the app's root directory`,
    );
  }
  const parts = raw.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) {
    throw new BadRequestError(
      `archive entry ${shown(raw)} leaves the app's directory through ".."; pack paths relative to the app's root directory`,
    );
  }
  return parts.join("/");
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "" : path.slice(0, i);
}

/** Lexical check of a symlink target, relative to the link's own directory. */
export function checkSymlinkTarget(name: string, target: string): void {
  if (target === "" || target.includes("\0")) {
    throw new BadRequestError(
      `symlink ${shown(name)} has an empty or invalid target; remove it from the archive`,
    );
  }
  if (target.startsWith("/")) {
    throw new BadRequestError(
      `symlink ${shown(name)} points to the absolute path ${shown(target)}, outside the app's directory; use a relative link inside the app`,
    );
  }
  if (lexicalJoin(parentOf(name), target) === null) {
    throw new BadRequestError(
      `symlink ${shown(name)} points to ${shown(target)}, outside the app's directory; remove it or point it inside the app`,
    );
  }
}

/** Hard link targets in tar are archive paths (from the root), never relative to the link. */
export function normalizeHardlinkTarget(name: string, target: string): string {
  if (target.startsWith("/") || target.split("/").includes("..") || target.includes("\0")) {
    throw new BadRequestError(
      `hard link ${shown(name)} points to ${shown(target)}, outside the app's directory; remove it from the archive`,
    );
  }
  const t = target
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");
  if (t === "") {
    throw new BadRequestError(`hard link ${shown(name)} has an empty target; remove it from the archive`);
  }
  return t;
}

/** Joins without touching the disk; null when `..` climbs above the root. */
function lexicalJoin(base: string, rel: string): string | null {
  const stack = base === "" ? [] : base.split("/");
  for (const p of rel.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") {
      if (stack.length === 0) return null;
      stack.pop();
    } else stack.push(p);
  }
  return stack.join("/");
}

/**
 * Resolves `path` inside the tree, following the archive's own symlinks. Returns null when
 * resolution leaves the root (or loops more than the kernel would allow).
 */
export function resolveInTree(path: string, symlinks: ReadonlyMap<string, string>): string | null {
  let pending = path.split("/").filter((p) => p !== "" && p !== ".");
  const stack: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const p = pending.shift()!;
    if (p === "..") {
      if (stack.length === 0) return null;
      stack.pop();
      continue;
    }
    stack.push(p);
    const target = symlinks.get(stack.join("/"));
    if (target === undefined) continue;
    if (++hops > MAX_LINK_HOPS || target.startsWith("/")) return null;
    stack.pop(); // the link is replaced by its target, read from the link's directory
    pending = [...target.split("/").filter((q) => q !== "" && q !== "."), ...pending];
  }
  return stack.join("/");
}

/**
 * Whole-archive checks that need every entry seen: no entry may sit below a symlink (writing
 * through a link is how extraction escapes), and every symlink must resolve inside the tree.
 */
export function checkLinkGraph(names: Iterable<string>, symlinks: ReadonlyMap<string, string>): void {
  for (const name of names) {
    for (let dir = parentOf(name); dir !== ""; dir = parentOf(dir)) {
      if (symlinks.has(dir)) {
        throw new BadRequestError(
          `archive entry ${shown(name)} lies below the symlink ${shown(dir)}; archives may not place files through links`,
        );
      }
    }
  }
  for (const [name, target] of symlinks) {
    if (resolveInTree(name, symlinks) === null) {
      throw new BadRequestError(
        `symlink ${shown(name)} points to ${shown(target)}, which resolves outside the app's directory; remove it or point it inside the app`,
      );
    }
  }
}
