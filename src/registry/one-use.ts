// One-use, scoped registry passwords: the alternative to handing dockerd a ready token. Wharf
// issues {username, password} bound to an access list; dockerd exchanges them once at the
// realm. Only a hash of each password is kept, so a memory dump holds nothing replayable
// beyond its lifetime, and an exchanged password is gone.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Access } from "./scope.js";

interface Pending {
  subject: string;
  access: Access[];
  expiresAt: number;
  hash: Buffer;
}

const sha = (s: string) => createHash("sha256").update(s).digest();

export class OneUseCredentials {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly ttlMs = 120_000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(subject: string, access: Access[]): { username: string; password: string } {
    this.sweep();
    // Basic auth splits at the first ":", so the user name keeps only safe characters.
    const username = `${subject.replace(/[^A-Za-z0-9._-]/g, "-")}.${randomBytes(6).toString("hex")}`;
    const password = randomBytes(24).toString("base64url");
    this.pending.set(username, { subject, access, expiresAt: this.now() + this.ttlMs, hash: sha(password) });
    return { username, password };
  }

  /** The grant behind a username/password pair, consumed on success; undefined otherwise. */
  exchange(username: string, password: string): { subject: string; access: Access[] } | undefined {
    const p = this.pending.get(username);
    if (!p || p.expiresAt < this.now() || !timingSafeEqual(p.hash, sha(password))) return undefined;
    this.pending.delete(username);
    return { subject: p.subject, access: p.access };
  }

  get size(): number {
    return this.pending.size;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, v] of this.pending) if (v.expiresAt < t) this.pending.delete(k);
  }
}
