// tsuru's two-step password reset (reset-password EMAIL, then reset-password EMAIL -t TOKEN):
// the first step mails a one-time token, the second sets a random password and mails it. Both go
// to the user's address through the configured mail server, never into a response, a log or an
// event. Without a mail server the route refuses and says how an admin resets a password on the
// server machine instead. Only the token's sha256 is stored; it expires and works once.
import { BadRequestError, ForbiddenError, NotFoundError, TooManyRequestsError } from "../errors.js";
import { validatePassword } from "../names.js";
import { hashPassword, hashToken, newToken } from "../secrets.js";
import type { Store } from "../../store/types.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import type { Principal } from "./principal.js";

/** How long a mailed reset token works. */
export const RESET_TOKEN_TTL_MS = 60 * 60 * 1000;
/** Reset mails one address may be sent per login window (each one is a mail to a person). */
const MAX_RESET_MAILS = 5;

export const NO_MAILER =
  "Password reset needs a mail server to send the reset token, and this Wharf has none (WHARF_SMTP_URL is not set). " +
  "An admin can set a new password on the server machine with `wharf server reset-password --email EMAIL`, " +
  "or configure WHARF_SMTP_URL and restart the server.";

/** The user as the event's owner: the caller proves who they are only by reading the mail. */
function asUser(email: string): Principal {
  return { kind: "user", email, tokenId: "", team: null, permissions: [] };
}

/** Twelve characters from an alphabet without look-alikes, as tsuru's generated passwords. */
function newPassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  return [...Buffer.from(newToken(), "hex").subarray(0, 16)]
    .map((b) => alphabet[b % alphabet.length])
    .join("");
}

export async function resetPassword(ctx: Ctx, email: string, token: string): Promise<void> {
  const mailer = ctx.mailer;
  if (!mailer) throw new BadRequestError(NO_MAILER);
  if (!email) throw new BadRequestError("You must give the user's email: tsuru reset-password EMAIL.");
  const user = await ctx.store.findUser(email);
  if (!user) throw new NotFoundError("User not found: check the email.");
  const ev = { instanceId: ctx.settings.instanceId };
  const target = { type: "user", value: email };
  if (!token) {
    const now = ctx.now().getTime();
    const wait = ctx.limiter.blockedFor(`reset:${email}`, MAX_RESET_MAILS, now);
    if (wait > 0)
      throw new TooManyRequestsError(
        `Too many password reset mails for this user: try again in ${wait} seconds.`,
        wait,
      );
    ctx.limiter.fail(`reset:${email}`, now);
    const fresh = newToken();
    await withEvent(ctx.store, asUser(email), { kind: "user.update.reset", target }, ev, async () => {
      await ctx.store.createPasswordReset({
        tokenHash: hashToken(fresh),
        userEmail: email,
        expiresAt: new Date(now + RESET_TOKEN_TTL_MS),
      });
      await mailer.send({
        to: email,
        subject: "Wharf: reset your password",
        text:
          `Someone, hopefully you, asked to reset the Wharf password of ${email}.\n\n` +
          `To finish, run within the next hour:\n\n    tsuru reset-password ${email} -t ${fresh}\n\n` +
          "Your new password will then be mailed to you. If you did not ask for this, ignore this mail: " +
          "your password stays as it is.\n",
      });
    });
    return;
  }
  const found = /^[0-9a-f]{64}$/.test(token) ? await ctx.store.findPasswordReset(hashToken(token)) : null;
  if (!found || found.userEmail !== email || found.used || found.expiresAt.getTime() <= ctx.now().getTime())
    throw new ForbiddenError(
      `This reset token is not valid (wrong, used or older than an hour): start again with tsuru reset-password ${email}.`,
    );
  const password = newPassword();
  const passwordHash = await hashPassword(password);
  await withEvent(ctx.store, asUser(email), { kind: "user.update.reset", target }, ev, async () => {
    if (!(await ctx.store.usePasswordReset(found.tokenHash)))
      throw new ForbiddenError(
        `This reset token was just used: start again with tsuru reset-password ${email}.`,
      );
    await setPassword(ctx.store, email, passwordHash);
    await mailer.send({
      to: email,
      subject: "Wharf: your new password",
      text:
        `The Wharf password of ${email} was reset. Your new password is:\n\n    ${password}\n\n` +
        "Log in with tsuru login, then change it with tsuru change-password.\n",
    });
  });
}

/** Sets the password and ends every login session of the user (API keys stay). */
async function setPassword(store: Store, email: string, passwordHash: string): Promise<void> {
  await store.tx(async (t) => {
    await t.updateUserPassword(email, passwordHash);
    await t.deleteTokens({ userEmail: email, kind: "session" });
  });
}

/** `wharf server reset-password`: an admin on the server machine sets a user's password. */
export async function resetPasswordOnHost(store: Store, email: string, password: string): Promise<void> {
  if (!(await store.findUser(email))) throw new NotFoundError(`User "${email}" not found.`);
  validatePassword(password);
  await setPassword(store, email, await hashPassword(password));
}
