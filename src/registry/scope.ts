// Distribution's scope grammar (docs/spec/auth/scope.md), parsed and written back.
// `type[(class)]:name:action[,action]`; the name may hold one ":" (a registry port), so the
// type ends at the first ":" and the actions start after the last one.

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

const TYPE = /^[a-z0-9]+(\([a-z0-9]+\))?$/;
// A repository path as the reference grammar allows it, with an optional host[:port]/ part.
const NAME = /^[A-Za-z0-9._-]+(:[0-9]+)?(\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$|^catalog$/;
const ACTION = /^([a-z]*|\*)$/;

export class ScopeError extends Error {}

/** One resource scope; throws ScopeError with a sentence saying what is wrong. */
export function parseScope(text: string): Access {
  const first = text.indexOf(":");
  const last = text.lastIndexOf(":");
  if (first < 0 || last === first) {
    throw new ScopeError(
      `scope "${clip(text)}" must be written type:name:actions, e.g. repository:myapp:pull`,
    );
  }
  const type = text.slice(0, first);
  const name = text.slice(first + 1, last);
  const actions = text.slice(last + 1).split(",");
  if (!TYPE.test(type)) throw new ScopeError(`scope "${clip(text)}": "${clip(type)}" is not a resource type`);
  if (!name || name.length > 255 || !NAME.test(name)) {
    throw new ScopeError(`scope "${clip(text)}": "${clip(name)}" is not a repository name`);
  }
  if (actions.some((a) => !ACTION.test(a))) {
    throw new ScopeError(`scope "${clip(text)}": actions must be lowercase words separated by ","`);
  }
  return { type: type.replace(/\(.*\)$/, ""), name, actions: [...new Set(actions.filter(Boolean))] };
}

/** The query's `scope` values: one per resource, each possibly holding several separated by spaces. */
export function parseScopes(values: string[]): Access[] {
  return values.flatMap((v) => v.split(" ").filter(Boolean)).map(parseScope);
}

export function formatScope(a: Access): string {
  return `${a.type}:${a.name}:${a.actions.join(",")}`;
}

/**
 * What a token may carry: for each requested resource, the requested actions the grant allows.
 * Partial or empty access is not an error (the token spec): the registry refuses what is missing.
 */
export function intersect(requested: Access[], granted: Access[]): Access[] {
  const out: Access[] = [];
  for (const r of requested) {
    const g = granted.filter((x) => x.type === r.type && x.name === r.name).flatMap((x) => x.actions);
    const actions = g.includes("*") ? r.actions : r.actions.filter((a) => g.includes(a));
    if (actions.length) out.push({ type: r.type, name: r.name, actions });
  }
  return out;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}...` : s;
}
