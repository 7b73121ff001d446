// Which paths `wharf app deploy` leaves out of the archive: `.wharfignore` and
// `.tsuruignore` files (gitignore syntax, read with the `ignore` library) in the base
// directory and in any directory below it, each applying to its own subtree the way
// nested .gitignore files do; `.git` is always left out.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";

/** Ignore files read in every directory, ours first; both apply. */
export const IGNORE_FILES = [".wharfignore", ".tsuruignore"];

export class IgnoreRules {
  private readonly matchers = new Map<string, Ignore | null>();
  private readonly dirVerdicts = new Map<string, boolean>();

  /** `base` is the directory archive names are relative to. */
  constructor(private readonly base: string) {}

  /** The rules of one directory (`""` is the base), or null when it has none. */
  private matcherFor(dirRel: string): Ignore | null {
    let m = this.matchers.get(dirRel);
    if (m !== undefined) return m;
    m = null;
    for (const file of IGNORE_FILES) {
      const abs = join(this.base, dirRel, file);
      if (!existsSync(abs)) continue;
      m ??= ignore();
      m.add(readFileSync(abs, "utf8"));
    }
    this.matchers.set(dirRel, m);
    return m;
  }

  /**
   * Whether `rel` (posix, relative to the base) is left out. As in git, a path inside
   * an ignored directory is ignored whatever deeper rules say, and among the rules
   * that match the path itself the deepest directory's verdict wins.
   */
  isIgnored(rel: string, isDir: boolean): boolean {
    const parts = rel.split("/");
    if (parts.includes(".git")) return true;
    for (let i = 1; i < parts.length; i++) {
      if (this.dirIgnored(parts.slice(0, i).join("/"))) return true;
    }
    return this.ownVerdict(parts, isDir);
  }

  private dirIgnored(dirRel: string): boolean {
    let v = this.dirVerdicts.get(dirRel);
    if (v === undefined) {
      v = this.isIgnored(dirRel, true);
      this.dirVerdicts.set(dirRel, v);
    }
    return v;
  }

  /** The verdict of the rules in every ancestor directory on the path itself. */
  private ownVerdict(parts: string[], isDir: boolean): boolean {
    let ignored = false;
    for (let depth = 0; depth < parts.length; depth++) {
      const m = this.matcherFor(parts.slice(0, depth).join("/"));
      if (!m) continue;
      const relToDir = parts.slice(depth).join("/") + (isDir ? "/" : "");
      const r = m.test(relToDir);
      if (r.ignored) ignored = true;
      else if (r.unignored) ignored = false;
    }
    return ignored;
  }
}
