// tsuru's reset-password in its two steps, delivered through a real SMTP server on loopback
// (Debian's aiosmtpd): `reset-password EMAIL` mails a one-time token, `reset-password EMAIL -t
// TOKEN` sets a new password and mails it. Neither secret is ever in a response or an event;
// nothing changes before the second step; a token works once, for its user only.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { call, deadPort, harness, loginAs, world, type Harness, type World } from "./helpers.js";
import { startSmtpServer, type SmtpServer } from "../../support/smtp-server.js";

let smtp: SmtpServer;
let h: Harness;
let w: World;
before(async () => {
  smtp = await startSmtpServer();
  h = await harness({ smtpUrl: smtp.url, smtpFrom: "wharf@example.com" });
  w = await world(h.app);
});
after(async () => {
  await h?.close();
  await smtp?.close();
});

/** The client's request: POST /1.0/users/EMAIL/password[?token=T], no body. */
const reset = (email: string, token?: string) =>
  call(h.app, "POST", `/1.0/users/${email}/password${token !== undefined ? `?token=${token}` : ""}`);

test("the first step mails a one-time token to the user and changes nothing else", async () => {
  const before = smtp.messages().length;
  const r = await reset("alice@example.com");
  assert.equal(r.status, 200, r.body);
  assert.equal(r.body, "", "the token is never in the answer");
  const mail = (await smtp.waitFor(before + 1))[before]!;
  assert.match(mail, /^To: alice@example\.com$/m);
  assert.match(mail, /^From: wharf@example\.com$/m);
  assert.match(mail, /tsuru reset-password alice@example\.com -t [0-9a-f]{64}/);
  // Nothing was reset yet: the old password and the sessions still work.
  assert.equal((await call(h.app, "GET", "/1.0/users/info", { token: w.alice })).status, 200);
  await loginAs(h.app, "alice@example.com", "secret-pw");
});

test("the second step with the mailed token sets a new password, mails it, and ends the user's sessions", async () => {
  const n = smtp.messages().length;
  assert.equal((await reset("alice@example.com")).status, 200);
  const token = /-t ([0-9a-f]{64})/.exec((await smtp.waitFor(n + 1))[n]!)![1]!;
  // Wrong tokens, and the right token for another user, are refused and change nothing.
  for (const [email, t] of [
    ["alice@example.com", "f".repeat(64)],
    ["alice@example.com", "not-a-token"],
    ["bob@example.com", token],
  ] as const) {
    const bad = await reset(email, t);
    assert.equal(bad.status, 403, bad.body);
    assert.match(bad.body, /reset token is not valid.*start again with tsuru reset-password/);
  }
  await loginAs(h.app, "alice@example.com", "secret-pw");

  const ok = await reset("alice@example.com", token);
  assert.equal(ok.status, 200, ok.body);
  assert.equal(ok.body, "");
  const mail = (await smtp.waitFor(n + 2))[n + 1]!;
  assert.match(mail, /^To: alice@example\.com$/m);
  const password = /new password is:\s+(\S+)/.exec(mail)![1]!;
  assert.ok(password.length >= 12);
  assert.equal((await call(h.app, "GET", "/1.0/users/info", { token: w.alice })).status, 401, "sessions end");
  const old = await call(h.app, "POST", "/1.0/users/alice@example.com/tokens", {
    form: { password: "secret-pw" },
  });
  assert.equal(old.status, 401);
  w.alice = await loginAs(h.app, "alice@example.com", password);

  // Once used, the token is spent.
  const again = await reset("alice@example.com", token);
  assert.equal(again.status, 403);
  assert.equal(smtp.messages().length, n + 2, "no mail for a refused step");

  // Events record both steps, and hold neither the token nor the password.
  const events = await call(h.app, "GET", "/1.1/events?kindname=user.update.reset", { token: w.admin });
  assert.equal(events.status, 200);
  assert.ok((events.json() as unknown[]).length >= 2);
  assert.ok(!events.body.includes(token) && !events.body.includes(password), "no secret in events");
});

test("an unknown user is a 404 and no mail is sent; too many reset mails for one user are a 429", async () => {
  const n = smtp.messages().length;
  const r = await reset("ghost@example.com");
  assert.equal(r.status, 404);
  assert.match(r.body, /User not found/);
  let status = 200;
  let sent = 0;
  while (status === 200 && sent < 20) {
    status = (await reset("bob@example.com")).status;
    if (status === 200) sent++;
  }
  assert.equal(status, 429);
  assert.ok(sent >= 1 && sent <= 5, `mails before the limit: ${sent}`);
  assert.equal(smtp.messages().length, n + sent);
});

test("with no mail server configured the reset is refused with how an admin resets a password", async () => {
  const bare = await harness();
  try {
    await world(bare.app);
    const r = await call(bare.app, "POST", "/1.0/users/alice@example.com/password");
    assert.equal(r.status, 400);
    assert.match(r.body, /wharf server reset-password --email EMAIL/);
    assert.match(r.body, /WHARF_SMTP_URL/);
  } finally {
    await bare.close();
  }
});

test("a mail server that does not answer is a 503 with a sentence, and the password stays", async () => {
  const down = await harness({ smtpUrl: `smtp://127.0.0.1:${await deadPort()}` });
  try {
    await world(down.app);
    const r = await call(down.app, "POST", "/1.0/users/alice@example.com/password");
    assert.equal(r.status, 503, r.body);
    assert.match(r.body, /mail server did not accept the message.*WHARF_SMTP_URL/);
    await loginAs(down.app, "alice@example.com", "secret-pw");
  } finally {
    await down.close();
  }
});
