// Certificates from the store: routers load every cname's certificate, decrypt its key with the
// shared secret key, and reload when the API announces a change on the change feed (kind
// router.certificates, payload names the cname only: key material never enters the feed).
import type { ChangeFeed } from "./source.js";
import { unseal } from "./secret-box.js";
import type { CertificatePair } from "./tls.js";

export const CERTIFICATE_CHANGE_KIND = "router.certificates";

export interface CertificateStore extends ChangeFeed {
  listCertificates(): Promise<{ cname: string; certificate: string; keyEncrypted: string }[]>;
}

export interface CertificateSink {
  setCertificates(all: Record<string, CertificatePair>): void;
}

export async function loadCertificates(
  store: CertificateStore,
  key: Buffer,
  onError?: (err: unknown, cname: string) => void,
): Promise<Record<string, CertificatePair>> {
  const out: Record<string, CertificatePair> = {};
  for (const c of await store.listCertificates()) {
    try {
      out[c.cname] = { cert: c.certificate, key: unseal(key, c.keyEncrypted) };
    } catch (err) {
      // A key sealed with another secret key file: serve the others, say which one is unusable.
      onError?.(err, c.cname);
    }
  }
  return out;
}

/** Keeps a sink's certificates equal to the store's; resyncs periodically as a safety net. */
export class StoreCertificateFollower {
  private sub: { close(): Promise<void> } | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly o: {
      store: CertificateStore;
      key: Buffer;
      sink: CertificateSink;
      resyncIntervalMs?: number;
      pollIntervalMs?: number;
      onError?(err: unknown, cname?: string): void;
    },
  ) {}

  async start(): Promise<void> {
    const seq = await this.o.store.latestChangeSeq();
    await this.reload();
    this.sub = await this.o.store.subscribeChanges(
      async (c) => {
        if (c.kind === CERTIFICATE_CHANGE_KIND) await this.reload();
      },
      { fromSeq: seq, pollIntervalMs: this.o.pollIntervalMs ?? 1000 },
    );
    const every = this.o.resyncIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => void this.reload(), every);
      this.timer.unref();
    }
  }

  async reload(): Promise<void> {
    try {
      this.o.sink.setCertificates(await loadCertificates(this.o.store, this.o.key, this.o.onError));
    } catch (err) {
      // Store unreachable: keep serving the certificates already loaded.
      this.o.onError?.(err);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sub?.close();
    this.sub = undefined;
  }
}
