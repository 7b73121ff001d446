// Image deploys: which references are allowed (the cluster registry's, or images already on
// the build node; never Docker Hub or any other registry), and which processes an image has
// (a Wharf label, a Procfile in the image, a Procfile label, else its entrypoint + cmd as `web`).
import { BadRequestError } from "../domain/errors.js";
import { parseProcfile } from "./manifest.js";

export const PROCESSES_LABEL = "wharf.processes";
/** Users building images elsewhere may declare processes as Procfile text in this label. */
export const PROCFILE_LABEL = "wharf.procfile";

const DOMAIN = /^(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(?::\d{1,5})?$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface ImageRef {
  /** Registry host[:port] when the reference names one. */
  domain?: string;
  /** The reference as Docker should be given it. */
  ref: string;
}

export function parseImageRef(raw: string): ImageRef {
  const ref = raw.trim();
  const bad = () =>
    new BadRequestError(
      `"${ref.slice(0, 200)}" is not a valid image reference; write it as REGISTRY/NAME:TAG (the cluster registry) or NAME:TAG of an image on the node`,
    );
  if (ref.length === 0 || ref.length > 512) throw bad();
  if (DIGEST.test(ref)) return { ref };
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad();
  }
  const parts = rest.split("/");
  let domain: string | undefined;
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) throw bad();
  }
  const last = parts.pop()!;
  const colon = last.indexOf(":");
  const name = colon >= 0 ? last.slice(0, colon) : last;
  const tag = colon >= 0 ? last.slice(colon + 1) : undefined;
  if (tag !== undefined && !TAG.test(tag)) throw bad();
  if (![...parts, name].every((c) => COMPONENT.test(c))) throw bad();
  return domain ? { domain, ref } : { ref };
}

/** Shell-quotes one argument so an exec-form command survives as a `sh -c` string. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_/.:=@%+,-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

interface ImageConfigLike {
  Labels?: Record<string, string> | null;
  Entrypoint?: string[] | string | null;
  Cmd?: string[] | string | null;
}

/** Where an image's processes came from, for the deploy log. */
export type ProcessesSource =
  | { kind: "processes-label" }
  | { kind: "procfile"; path: string }
  | { kind: "procfile-label" }
  | { kind: "command" };

export interface ImageProcesses {
  processes: Record<string, string>;
  from: ProcessesSource;
}

/**
 * The processes of an image, first found of: the wharf.processes label (JSON, set by Wharf's
 * own builds, so redeploying or rolling back to a Wharf image keeps its processes even when its
 * code has no Procfile), a Procfile file in the image (tsuru's rule), the wharf.procfile label
 * (Procfile text), else `web` = entrypoint + cmd. A blank Procfile counts as none, as in tsuru.
 */
export function imageProcesses(
  ref: string,
  config: ImageConfigLike | undefined,
  procfile?: { name: string; text: string },
): ImageProcesses {
  const labels = config?.Labels ?? {};
  const json = labels[PROCESSES_LABEL];
  if (json !== undefined)
    return { processes: parseProcessesLabel(ref, json), from: { kind: "processes-label" } };
  if (procfile && procfile.text.trim() !== "") {
    let processes: Record<string, string>;
    try {
      processes = parseProcfile(procfile.text);
    } catch (err) {
      // Say which file: the user did not send it, it was found in their image.
      throw new BadRequestError(`image ${ref}, ${procfile.name}: ${(err as Error).message}`);
    }
    return { processes, from: { kind: "procfile", path: procfile.name } };
  }
  const label = labels[PROCFILE_LABEL];
  if (label !== undefined) return { processes: parseProcfile(label), from: { kind: "procfile-label" } };
  const asList = (v: string[] | string | null | undefined) => (v == null ? [] : Array.isArray(v) ? v : [v]);
  const argv = [...asList(config?.Entrypoint), ...asList(config?.Cmd)];
  if (argv.length === 0) {
    throw new BadRequestError(
      `image ${ref} has no Procfile, Procfile label, entrypoint or cmd, so Wharf does not know how to start it; add a Procfile or set CMD in its Dockerfile`,
    );
  }
  return { processes: { web: argv.map(shellQuote).join(" ") }, from: { kind: "command" } };
}

/** imageProcesses without a Procfile file (images Wharf built from a Dockerfile). */
export function processesFromImage(ref: string, config: ImageConfigLike | undefined): Record<string, string> {
  return imageProcesses(ref, config).processes;
}

export function parseProcessesLabel(ref: string, json: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError(
      `image ${ref} has an invalid ${PROCESSES_LABEL} label; it must be a JSON object`,
    );
  }
  const out = Object.entries(parsed);
  if (
    out.length === 0 ||
    !out.every(([k, v]) => /^[A-Za-z0-9_-]{1,63}$/.test(k) && typeof v === "string" && v)
  ) {
    throw new BadRequestError(
      `image ${ref} has an invalid ${PROCESSES_LABEL} label; it must map process names to commands`,
    );
  }
  return Object.fromEntries(out) as Record<string, string>;
}
