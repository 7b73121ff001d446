// Every image a Dockerfile makes the builder pull: each FROM (multi-stage, with ARG values
// substituted as the builder does, flags such as --platform skipped) and each COPY/ADD
// --from= or RUN --mount=from= that names an image rather than an earlier stage.
import { BadRequestError } from "./errors.js";

export interface DockerfileImage {
  ref: string;
  line: number;
  instruction: "FROM" | "COPY --from" | "RUN --mount";
}

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

function instructions(text: string): Instruction[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let escape = "\\";
  // Parser directives: only leading "# key=value" comments.
  for (const l of lines) {
    const d = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(l);
    if (!d) break;
    if (d[1]!.toLowerCase() === "escape") escape = d[2]!;
  }
  const out: Instruction[] = [];
  let buf = "";
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (!buf && /^\s*(#|$)/.test(l)) continue;
    if (buf && /^\s*#/.test(l)) continue; // comment lines inside a continuation are dropped
    if (!buf) start = i + 1;
    const trimmed = l.replace(/\s+$/, "");
    if (trimmed.endsWith(escape)) {
      buf += trimmed.slice(0, -escape.length) + " ";
      continue;
    }
    buf += l;
    const m = /^\s*(\S+)\s*(.*)$/.exec(buf);
    if (m) out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
    buf = "";
  }
  if (buf.trim()) {
    const m = /^\s*(\S+)\s*(.*)$/.exec(buf)!;
    out.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start });
  }
  return out;
}

/** $VAR, ${VAR}, ${VAR:-default}, ${VAR:+alt}; unknown variables become "" (the builder's rule). */
function substitute(s: string, vars: Map<string, string>): string {
  return s.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_m, n1, op, word, n2) => {
      const name = (n1 ?? n2) as string;
      const v = vars.get(name);
      if (op === "-") return v ? v : (word as string);
      if (op === "+") return v ? (word as string) : "";
      return v ?? "";
    },
  );
}

function argDecls(args: string): Array<[string, string | undefined]> {
  return args
    .split(/\s+/)
    .filter(Boolean)
    .map((a) => {
      const eq = a.indexOf("=");
      return eq < 0 ? [a, undefined] : [a.slice(0, eq), a.slice(eq + 1).replace(/^"(.*)"$/, "$1")];
    });
}

export function dockerfileImages(text: string, buildArgs: Record<string, string> = {}): DockerfileImage[] {
  if (text.length > 1_000_000)
    throw new BadRequestError("The Dockerfile is larger than 1 MB: make it smaller.");
  const out: DockerfileImage[] = [];
  // ARGs before the first FROM are global: they are what FROM lines substitute.
  const global = new Map<string, string>();
  const stages = new Set<string>();
  let stageCount = 0;
  let stageVars = new Map<string, string>();
  let seenFrom = false;
  const isStage = (ref: string) =>
    stages.has(ref.toLowerCase()) || (/^\d+$/.test(ref) && Number(ref) < stageCount);
  for (const ins of instructions(text)) {
    if (ins.keyword === "ARG") {
      for (const [name, def] of argDecls(ins.args)) {
        const v =
          buildArgs[name] ?? (def !== undefined ? substitute(def, seenFrom ? stageVars : global) : undefined);
        if (!seenFrom) global.set(name, v ?? "");
        else stageVars.set(name, v ?? global.get(name) ?? "");
      }
      continue;
    }
    if (ins.keyword === "FROM") {
      const words = ins.args.split(/\s+/).filter((w) => !w.startsWith("--"));
      const ref = substitute(words[0] ?? "", global);
      if (!ref) throw new BadRequestError(`Dockerfile line ${ins.line}: FROM names no image.`);
      if (ref.toLowerCase() !== "scratch" && !isStage(ref))
        out.push({ ref, line: ins.line, instruction: "FROM" });
      if (words[1]?.toUpperCase() === "AS" && words[2]) stages.add(words[2].toLowerCase());
      stageCount++;
      seenFrom = true;
      stageVars = new Map();
      continue;
    }
    if (ins.keyword === "COPY" || ins.keyword === "ADD") {
      for (const m of ins.args.matchAll(/(?:^|\s)--from=(\S+)/g)) {
        const ref = substitute(m[1]!.replace(/^"(.*)"$/, "$1"), new Map([...global, ...stageVars]));
        if (!isStage(ref)) out.push({ ref, line: ins.line, instruction: "COPY --from" });
      }
      continue;
    }
    if (ins.keyword === "RUN") {
      for (const m of ins.args.matchAll(/(?:^|\s)--mount=(\S+)/g)) {
        const from = /(?:^|,)from=([^,]+)/.exec(m[1]!)?.[1];
        if (from) {
          const ref = substitute(from, new Map([...global, ...stageVars]));
          if (!isStage(ref)) out.push({ ref, line: ins.line, instruction: "RUN --mount" });
        }
      }
    }
  }
  return out;
}
