// The one adapter to mail servers: SMTP through nodemailer, configured by WHARF_SMTP_URL
// (smtp://[user:password@]host:port, or smtps:// for implicit TLS; STARTTLS is used whenever the
// server offers it). Message bodies carry secrets (reset tokens, new passwords): neither they nor
// the URL's password ever reach a log or an error sentence.
import nodemailer from "nodemailer";
import { ServiceUnavailableError } from "../domain/errors.js";
import type { Mailer } from "../domain/services/mail-port.js";

export interface SmtpSettings {
  /** "" = no mail server: the features that need one refuse with a sentence. */
  url: string;
  from: string;
  timeoutMs?: number;
}

export function smtpMailer(s: SmtpSettings): Mailer | null {
  if (!s.url) return null;
  const u = new URL(s.url);
  const timeout = s.timeoutMs ?? 15_000;
  const transport = nodemailer.createTransport({
    host: u.hostname.replace(/^\[|\]$/g, ""),
    port: u.port ? Number(u.port) : u.protocol === "smtps:" ? 465 : 25,
    secure: u.protocol === "smtps:",
    ...(u.username
      ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
      : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // Never log: the messages hold reset tokens and passwords.
    logger: false,
    debug: false,
  });
  return {
    async send(m) {
      try {
        await transport.sendMail({ from: s.from, to: m.to, subject: m.subject, text: m.text });
      } catch (err) {
        const code =
          (err as { code?: string; responseCode?: number }).responseCode ?? (err as { code?: string }).code;
        throw new ServiceUnavailableError(
          `The mail server did not accept the message (${String(code ?? "no answer")}): try again later, or ask an admin to check WHARF_SMTP_URL.`,
        );
      }
    },
  };
}
