// Records behind the rest of tsuru's client surface: users' SSH keys, password resets, sealed API
// keys, event blocks and webhooks, per-pool log and healer settings, and per-node TLS material.
import type { EventTarget } from "./event-types.js";

export interface UserKeyRecord {
  userEmail: string;
  name: string;
  /** The public key line as given, without a trailing newline ("ssh-ed25519 AAAA… comment"). */
  body: string;
  /** SHA256:… of the key blob (OpenSSH's fingerprint); unique across users. */
  fingerprint: string;
  createdAt: Date;
}

export interface PasswordResetRecord {
  /** sha256 of the token mailed to the user: the token itself is never stored. */
  tokenHash: string;
  userEmail: string;
  createdAt: Date;
  expiresAt: Date;
  used: boolean;
}

/** tsuru's event block: new events matching kind (prefix), owner and target fail with the reason. */
export interface EventBlockRecord {
  /** 24 lowercase hex characters. */
  id: string;
  startTime: Date;
  /** When it was removed (deactivated); null while active. */
  endTime: Date | null;
  /** "" = every kind; otherwise a kind name prefix ("app.deploy", "app"). */
  kindName: string;
  /** "" = every owner. */
  ownerName: string;
  /** type "" = every target; value "" = every target of the type. */
  target: EventTarget;
  reason: string;
  active: boolean;
}

export interface WebhookFilter {
  targetTypes: string[];
  targetValues: string[];
  kindTypes: string[];
  kindNames: string[];
  errorOnly: boolean;
  successOnly: boolean;
}

export interface WebhookRecord {
  name: string;
  teamOwner: string;
  description: string;
  eventFilter: WebhookFilter;
  url: string;
  proxyUrl: string;
  /** Header name → values, as tsuru's http.Header. */
  headers: Record<string, string[]>;
  method: string;
  /** A body template ("" = the event as JSON). */
  body: string;
  insecure: boolean;
  /** The HMAC signing secret, sealed with the server's key. */
  secretSealed: string;
  /**
   * The hook hears every event (whoever last set it up may read them all); otherwise only events
   * on its team's apps, service instances and the team itself.
   */
  allEvents: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Per-pool Docker log driver settings (tsuru docker-log); pool "" is the default. */
export interface PoolLogRecord {
  pool: string;
  driver: string;
  opts: Record<string, string>;
  updatedAt: Date;
}

/** Per-pool node healer settings (tsuru node-healing); null fields inherit the defaults (pool ""). */
export interface PoolHealingRecord {
  pool: string;
  enabled: boolean | null;
  maxUnresponsiveSeconds: number | null;
  maxSinceSuccessSeconds: number | null;
  updatedAt: Date;
}

/** A node's own TLS material (tsuru node-add --cacert/--clientcert/--clientkey); "" = the cluster's. */
export interface NodeTlsRecord {
  address: string;
  caCert: string;
  clientCert: string;
  /** The client key, sealed with the server's key ("" when none). */
  clientKeySealed: string;
}
