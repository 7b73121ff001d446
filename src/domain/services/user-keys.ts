// tsuru's key-add/list/remove: each user's SSH public keys (for git push over SSH), validated as
// real public keys and unique by fingerprint across users, so a key names one user.
import { BadRequestError, ConflictError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import { parsePublicKey } from "../ssh-keys.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import type { Principal } from "./principal.js";
import { mapped } from "./store-errors.js";

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$/;

function userOf(p: Principal): string {
  if (p.kind !== "user")
    throw new BadRequestError("This is a team token: SSH keys belong to users; use a user's token.");
  return p.email;
}

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

export async function addKey(
  ctx: Ctx,
  p: Principal,
  f: { name: string; key: string; force: boolean },
): Promise<void> {
  const email = userOf(p);
  if (!f.name) throw new BadRequestError("You must give the key a name: tsuru key-add NAME FILE.");
  if (!KEY_NAME.test(f.name))
    throw new BadRequestError(
      `Invalid key name "${clip(f.name)}": use letters, numbers, ".", "_", "-", "@" or "+" (at most 64 characters).`,
    );
  if (!f.key.trim()) throw new BadRequestError("You must give the public key: tsuru key-add NAME FILE.");
  const k = parsePublicKey(f.key);
  const holders = await ctx.store.listUserKeys({ fingerprint: k.fingerprint });
  const other = holders.find((h) => h.userEmail !== email);
  if (other)
    throw new BadRequestError(
      "This public key belongs to another Wharf user: each key may name only one user.",
    );
  const sameKey = holders.find((h) => h.name !== f.name);
  const sameName = (await ctx.store.listUserKeys({ userEmail: email })).find((h) => h.name === f.name);
  // tsuru's client asks "replace it?" on a 409 and sends force=true.
  if (!f.force && sameName) throw new ConflictError(`key "${f.name}" already exists`);
  if (!f.force && sameKey) throw new ConflictError(`this key is already registered as "${sameKey.name}"`);
  await withEvent(
    ctx.store,
    p,
    {
      kind: "user.update.key.add",
      target: { type: "user", value: email },
      data: { name: f.name, fingerprint: k.fingerprint },
    },
    ev(ctx),
    () =>
      mapped(() =>
        ctx.store.tx(async (t) => {
          if (sameKey) await t.deleteUserKey(email, sameKey.name);
          await t.addUserKey(
            { userEmail: email, name: f.name, body: k.line, fingerprint: k.fingerprint },
            { replace: true },
          );
        }),
      ),
  );
}

/** tsuru's key-list: a map from key name to key line. */
export async function listKeys(ctx: Ctx, p: Principal): Promise<Record<string, string>> {
  const email = userOf(p);
  const out: Record<string, string> = {};
  for (const k of await ctx.store.listUserKeys({ userEmail: email })) out[k.name] = k.body;
  return out;
}

export async function removeKey(ctx: Ctx, p: Principal, name: string): Promise<void> {
  const email = userOf(p);
  if (!(await ctx.store.listUserKeys({ userEmail: email })).some((k) => k.name === name))
    throw new NotFoundError(`Key "${clip(name)}" not found: run tsuru key-list.`);
  await withEvent(
    ctx.store,
    p,
    { kind: "user.update.key.remove", target: { type: "user", value: email }, data: { name } },
    ev(ctx),
    () => mapped(() => ctx.store.deleteUserKey(email, name)),
  );
}
