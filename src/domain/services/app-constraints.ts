// Placement constraints of an app (a Wharf extension to tsuru's API): Swarm expressions
// such as zone==a, storagedriver==overlay2 or node!=/n1/ that every new unit must satisfy
// (soft ones, written key==~value, only when some node can). Checked here so a mistake is
// a 400 naming the expression, never a failed deploy later.
import { BadRequestError } from "../errors.js";
import { parseExpr } from "../../scheduler/index.js";
import { clip } from "../names.js";
import type { Ctx } from "./context.js";
import type { Principal } from "./principal.js";
import { visibleApp } from "./app-read.js";
import { withEvent } from "./events.js";

const MAX_CONSTRAINTS = 32;
const FORMS = "Write key==value, key!=value, key==~value (soft), globs (key==5.*) or /regex/.";

export function validateConstraints(exprs: string[]): string[] {
  if (exprs.length > MAX_CONSTRAINTS)
    throw new BadRequestError(
      `Too many constraints (${exprs.length}): an app may have at most ${MAX_CONSTRAINTS}.`,
    );
  return exprs.map((raw) => {
    const e = raw.trim();
    if (!e || e.length > 512)
      throw new BadRequestError(
        "Invalid constraint: write key==value, key!=value, key==~value, globs or /regex/.",
      );
    const r = parseExpr(e);
    if (!r.ok) throw new BadRequestError(`Invalid constraint "${clip(e)}": ${r.error}. ${FORMS}`);
    // Swarm silently never matches a regex that does not compile; a user should hear of it.
    if (r.value.re === null)
      throw new BadRequestError(
        `Invalid constraint "${clip(e)}": the regular expression does not compile. ${FORMS}`,
      );
    return e;
  });
}

export async function getConstraints(ctx: Ctx, p: Principal, app: string): Promise<string[]> {
  await visibleApp(ctx, p, app, "app.read");
  return (await ctx.store.getAppRuntime(app)).constraints;
}

export async function setConstraints(ctx: Ctx, p: Principal, app: string, exprs: string[]): Promise<void> {
  await visibleApp(ctx, p, app, "app.update");
  const clean = validateConstraints(exprs);
  await withEvent(
    ctx.store,
    p,
    { kind: "app.update", target: { type: "app", value: app }, lock: true, data: { constraints: clean } },
    { instanceId: ctx.settings.instanceId },
    () => ctx.store.setAppConstraints(app, clean),
  );
}
