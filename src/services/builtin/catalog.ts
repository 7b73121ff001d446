// What Wharf's built-in services are: their plans (memory sizes), the port they listen on,
// how their containers and volumes are named, the env the image gets and the variables an
// app gets when bound. Pure: no I/O, tested as rules.
import { scramSha256Verifier, sha256Hex } from "./credentials.js";

export type BuiltinKind = "postgresql" | "redis";
export const BUILTIN_KINDS: readonly BuiltinKind[] = ["postgresql", "redis"];

export interface BuiltinPlan {
  name: string;
  description: string;
  /** Memory limit of the instance's container, in bytes. */
  memory: number;
}

export interface BuiltinServiceDef {
  kind: BuiltinKind;
  /** Folder under services/ holding the image's Dockerfile and entrypoint. */
  imageDir: string;
  /** Port the server listens on inside the container. */
  port: number;
  /** The first plan is the default. */
  plans: BuiltinPlan[];
  doc: string;
}

const MiB = 2 ** 20;

const plan = (name: string, mib: number): BuiltinPlan => ({
  name,
  description: mib >= 1024 ? `${mib / 1024} GiB of memory` : `${mib} MiB of memory`,
  memory: mib * MiB,
});

export const BUILTIN_SERVICES: Record<BuiltinKind, BuiltinServiceDef> = {
  postgresql: {
    kind: "postgresql",
    imageDir: "postgresql",
    port: 5432,
    plans: [plan("small", 256), plan("medium", 512), plan("large", 1024)],
    doc: [
      "PostgreSQL 15 (Debian), one container per instance on a node of the cluster, its data on a",
      "volume of its own. Each bound app gets a role of its own (removed at unbind) acting as the",
      "database's owner, through DATABASE_URL and PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.",
      "`wharf service instance remove` keeps the data volume unless --purge is given.",
      "Plans set the container's memory; `--plan-param pool=<pool>` picks the pool.",
    ].join("\n"),
  },
  redis: {
    kind: "redis",
    imageDir: "redis",
    port: 6379,
    plans: [plan("small", 64), plan("medium", 256), plan("large", 1024)],
    doc: [
      "Redis 7 (Debian), one container per instance on a node of the cluster, append-only data on",
      "a volume of its own. Each bound app gets an ACL user of its own (removed at unbind), through",
      "REDIS_URL and REDIS_HOST, REDIS_PORT, REDIS_USERNAME, REDIS_PASSWORD.",
      "`wharf service instance remove` keeps the data volume unless --purge is given.",
      "Plans set the container's memory (maxmemory is 3/4 of it); `--plan-param pool=<pool>` picks the pool.",
    ].join("\n"),
  },
};

export function isBuiltinKind(name: string): name is BuiltinKind {
  return (BUILTIN_KINDS as readonly string[]).includes(name);
}

/** The named plan, or the default one for "". Undefined for an unknown name. */
export function planOf(kind: BuiltinKind, name: string): BuiltinPlan | undefined {
  const plans = BUILTIN_SERVICES[kind].plans;
  return name === "" ? plans[0] : plans.find((p) => p.name === name);
}

/** Container and volume share one name, unique per instance: `wharf-svc-<kind>-<uuid>`. */
export function resourceName(kind: BuiltinKind, uuid: string): string {
  return `wharf-svc-${kind}-${uuid}`;
}

/** Labels on the instance's container and volume (the orphan sweep goes by them). */
export const SERVICE_LABELS = {
  service: "wharf.service",
  instance: "wharf.service-instance",
  uuid: "wharf.service-uuid",
  team: "wharf.service-team",
} as const;

/**
 * The database (and its owner role) of a PostgreSQL instance: the instance name in lower
 * case with "-" as "_", so it is a plain SQL identifier (instance names start with a letter).
 */
export function databaseName(instance: string): string {
  return instance
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 63);
}

/** The role / ACL user of one binding: unique per binding, a plain identifier. */
export function bindingUser(kind: BuiltinKind, instance: string, bindingId: string): string {
  const id = bindingId
    .replace(/[^a-f0-9]/gi, "")
    .toLowerCase()
    .slice(0, 12);
  if (id.length < 8) throw new Error(`binding id "${bindingId}" has too few hex digits`);
  return kind === "postgresql" ? `${databaseName(instance).slice(0, 40)}_${id}` : `app_${id}`;
}

/** The instance's own secret (the owner's / default user's password), sealed in the store. */
export interface InstanceSecrets {
  password: string;
}

/** The container's env: sizes from the plan, and only a verifier of the instance's password. */
export function containerEnv(
  kind: BuiltinKind,
  instance: string,
  memory: number,
  secrets: InstanceSecrets,
): string[] {
  const mb = Math.max(16, Math.floor(memory / MiB));
  if (kind === "postgresql")
    return [
      `WHARF_PG_DATABASE=${databaseName(instance)}`,
      `WHARF_PG_OWNER_VERIFIER=${scramSha256Verifier(secrets.password)}`,
      `WHARF_MEMORY_MB=${mb}`,
    ];
  return [`WHARF_REDIS_PASSWORD_SHA256=${sha256Hex(secrets.password)}`, `WHARF_MEMORY_MB=${mb}`];
}

export interface Endpoint {
  host: string;
  port: number;
}

/** The variables a bound app gets: a URL and its parts (values are private app env). */
export function bindEnv(
  kind: BuiltinKind,
  instance: string,
  at: Endpoint,
  user: string,
  password: string,
): Record<string, string> {
  const u = encodeURIComponent(user);
  const p = encodeURIComponent(password);
  if (kind === "postgresql") {
    const db = databaseName(instance);
    return {
      DATABASE_URL: `postgres://${u}:${p}@${at.host}:${at.port}/${db}`,
      PGHOST: at.host,
      PGPORT: String(at.port),
      PGUSER: user,
      PGPASSWORD: password,
      PGDATABASE: db,
    };
  }
  return {
    REDIS_URL: `redis://${u}:${p}@${at.host}:${at.port}`,
    REDIS_HOST: at.host,
    REDIS_PORT: String(at.port),
    REDIS_USERNAME: user,
    REDIS_PASSWORD: password,
  };
}

/** IPv4 of a node address (https://10.0.0.2:2376 → 10.0.0.2): where its ports are published. */
export function nodeHost(address: string): string {
  try {
    return new URL(address).hostname;
  } catch {
    return "";
  }
}
