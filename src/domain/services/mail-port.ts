// What the domain needs to reach users out of band (password reset tokens): one plain-text
// mail to one address. Implemented by src/mail (SMTP); absent when no mail server is configured.
export interface Mailer {
  /** Resolves once the mail server accepted the message; rejects with a sentence otherwise. */
  send(m: { to: string; subject: string; text: string }): Promise<void>;
}
