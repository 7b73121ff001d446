// Image deploys: which references are allowed (the cluster registry's, or images already on
// the build node; never Docker Hub or any other registry), and what an image says about its
// processes (a Wharf label, else its entrypoint + cmd as `web`).
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

/**
 * The processes an image declares: the wharf.processes label (JSON, set by Wharf builds), else
 * the wharf.procfile label (Procfile text), else `web` = entrypoint + cmd.
 */
export function processesFromImage(ref: string, config: ImageConfigLike | undefined): Record<string, string> {
  const labels = config?.Labels ?? {};
  const json = labels[PROCESSES_LABEL];
  if (json !== undefined) return parseProcessesLabel(ref, json);
  const procfile = labels[PROCFILE_LABEL];
  if (procfile !== undefined) return parseProcfile(procfile);
  const asList = (v: string[] | string | null | undefined) => (v == null ? [] : Array.isArray(v) ? v : [v]);
  const argv = [...asList(config?.Entrypoint), ...asList(config?.Cmd)];
  if (argv.length === 0) {
    throw new BadRequestError(
      `image ${ref} has no Procfile label, entrypoint or cmd, so Wharf does not know how to start it; set CMD in its Dockerfile`,
    );
  }
  return { web: argv.map(shellQuote).join(" ") };
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
