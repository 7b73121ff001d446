// The three patch types the stand-in API server accepts, with Kubernetes' semantics for
// the fields Wharf touches: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
// strategic-merge patch (k8s.io/apimachinery/pkg/util/strategicpatch). Server-side apply
// is not implemented (the stand-in answers 415), so Wharf must not use it.
// Part of the stand-in (see server.ts).

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export class PatchError extends Error {}

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const clone = <T>(v: T): T => structuredClone(v);

export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k] ?? null, v);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: Json, tokens: string[], op: string): [Json, string] {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (next === undefined)
      throw new PatchError(`${op} operation does not apply: doc is missing path: "/${tokens.join("/")}"`);
    cur = next;
  }
  return [cur, tokens[tokens.length - 1]!];
}

export function jsonPatch(doc: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError("a JSON patch must be an array of operations");
  let out = clone(doc);
  for (const raw of ops as JsonObject[]) {
    const op = String(raw.op);
    const tokens = pointer(String(raw.path ?? ""));
    const get = (toks: string[]): Json => {
      if (toks.length === 0) return out;
      const [p, k] = parentOf(out, toks, op);
      const v = Array.isArray(p) ? p[Number(k)] : isObject(p) ? p[k] : undefined;
      if (v === undefined)
        throw new PatchError(`${op} operation does not apply: doc is missing path: "/${toks.join("/")}"`);
      return v;
    };
    const remove = (toks: string[]) => {
      const [p, k] = parentOf(out, toks, op);
      if (Array.isArray(p)) p.splice(Number(k), 1);
      else if (isObject(p) && k in p) delete p[k];
      else throw new PatchError(`${op} operation does not apply: doc is missing key: "/${toks.join("/")}"`);
    };
    const add = (toks: string[], value: Json) => {
      if (toks.length === 0) {
        out = value;
        return;
      }
      const [p, k] = parentOf(out, toks, op);
      if (Array.isArray(p)) p.splice(k === "-" ? p.length : Number(k), 0, value);
      else if (isObject(p)) p[k] = value;
      else throw new PatchError(`${op} operation does not apply: parent is not a container`);
    };
    switch (op) {
      case "add":
        add(tokens, clone(raw.value ?? null));
        break;
      case "remove":
        remove(tokens);
        break;
      case "replace":
        get(tokens);
        remove(tokens);
        add(tokens, clone(raw.value ?? null));
        break;
      case "move":
      case "copy": {
        const from = pointer(String(raw.from ?? ""));
        const v = clone(get(from));
        if (op === "move") remove(from);
        add(tokens, v);
        break;
      }
      case "test":
        if (JSON.stringify(get(tokens)) !== JSON.stringify(raw.value))
          throw new PatchError(`testing value /${tokens.join("/")} failed`);
        break;
      default:
        throw new PatchError(`Unexpected kind: ${op}`);
    }
  }
  return out;
}

/**
 * The patchMergeKey of a list field, by its path of field names, as the Go struct tags
 * of core/v1 and apps/v1 declare it; undefined means the list is replaced as a whole.
 */
function mergeKey(path: string[], kind: string): string | "primitive" | undefined {
  const last = path[path.length - 1];
  switch (last) {
    case "containers":
    case "initContainers":
    case "ephemeralContainers":
    case "env":
    case "volumes":
    case "imagePullSecrets":
      return "name";
    case "volumeMounts":
      return "mountPath";
    case "volumeDevices":
      return "devicePath";
    case "hostAliases":
      return "ip";
    case "conditions":
    case "addresses":
      return "type";
    case "ownerReferences":
      return "uid";
    case "topologySpreadConstraints":
      return "topologyKey";
    case "finalizers":
      return "primitive";
    case "ports":
      if (path.includes("containers") || path.includes("initContainers")) return "containerPort";
      if (kind === "Service") return "port";
      return undefined;
    default:
      return undefined;
  }
}

const DIRECTIVE = "$patch";

function mergeList(original: Json[], patch: Json[], path: string[], kind: string): Json[] {
  const key = mergeKey(path, kind);
  if (key === undefined) {
    return patch.filter((p) => !(isObject(p) && p[DIRECTIVE] === "delete")).map(clone);
  }
  if (patch.some((p) => isObject(p) && p[DIRECTIVE] === "replace")) {
    return patch.filter((p) => !(isObject(p) && DIRECTIVE in p)).map(clone);
  }
  if (key === "primitive") {
    const out = original.map(clone);
    for (const p of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(p))) out.push(clone(p));
    return out;
  }
  const out = original.map(clone);
  for (const p of patch) {
    if (!isObject(p)) throw new PatchError(`a list of objects merged by "${key}" got a non-object item`);
    if (!(key in p))
      throw new PatchError(`map: ${JSON.stringify(p)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === JSON.stringify(p[key]));
    if (p[DIRECTIVE] === "delete") {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMerge(out[idx]!, p, path, kind);
    else out.push(strategicMerge({}, p, path, kind));
  }
  return out;
}

/** Strategic-merge patch of `original` by `patch`; `kind` is the object's kind (for ports). */
export function strategicMerge(original: Json, patch: Json, path: string[] = [], kind = ""): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch[DIRECTIVE] === "replace") {
    const rest = clone(patch);
    delete rest[DIRECTIVE];
    return rest;
  }
  if (patch[DIRECTIVE] === "delete") return null;
  const out: JsonObject = isObject(original) ? clone(original) : {};
  const retain = patch["$retainKeys"];
  for (const [k, v] of Object.entries(patch)) {
    if (k === DIRECTIVE || k === "$retainKeys" || k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const field = k.slice("$deleteFromPrimitiveList/".length);
      const drop = Array.isArray(v) ? v.map((x) => JSON.stringify(x)) : [];
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !drop.includes(JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v)) out[k] = mergeList(Array.isArray(cur) ? cur : [], v, [...path, k], kind);
    else if (isObject(v)) {
      const merged = strategicMerge(cur ?? {}, v, [...path, k], kind);
      if (merged === null) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (Array.isArray(retain)) for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  return out;
}
