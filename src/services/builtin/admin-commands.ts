// The commands Wharf runs inside an instance's container (docker exec) to check it is ready
// and to add or drop a bound app's role / ACL user. Pure: argv arrays only, no shell, and no
// password in them: PostgreSQL roles get a SCRAM verifier, Redis users a SHA-256; the one
// secret Redis needs for its own login goes in the exec's env (REDISCLI_AUTH), never in argv.
import { scramSha256Verifier, sha256Hex } from "./credentials.js";
import { databaseName, type BuiltinKind } from "./catalog.js";

export interface AdminCommand {
  cmd: string[];
  /** The user the command runs as inside the container. */
  user: string;
  env: string[];
  /** What a successful run prints (trimmed stdout); undefined = only the exit code counts. */
  expect?: RegExp;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
// base64 and the separators of a SCRAM verifier: safe inside an SQL string literal.
const VERIFIER = /^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`"${name}" is not a plain SQL identifier`);
  return `"${name}"`;
}

function literal(name: string): string {
  if (!IDENT.test(name)) throw new Error(`"${name}" is not a plain SQL identifier`);
  return `'${name}'`;
}

function psql(db: string, statements: string[]): AdminCommand {
  return {
    cmd: [
      "psql",
      "-X",
      "-q",
      "-At",
      "-v",
      "ON_ERROR_STOP=1",
      "-h",
      "/var/run/postgresql",
      "-d",
      db,
      ...statements.flatMap((s) => ["-c", s]),
    ],
    user: "postgres",
    env: [],
  };
}

function redisCli(secret: string, args: string[], expect: RegExp): AdminCommand {
  return { cmd: ["redis-cli", "--no-raw", ...args], user: "redis", env: [`REDISCLI_AUTH=${secret}`], expect };
}

/** Succeeds once the server accepts connections (PostgreSQL after its first-start setup). */
export function readyCheck(kind: BuiltinKind, secret: string): AdminCommand {
  if (kind === "postgresql")
    return { cmd: ["pg_isready", "-q", "-h", "/var/run/postgresql"], user: "postgres", env: [] };
  return redisCli(secret, ["PING"], /^"?PONG"?$/);
}

/** Adds (or resets) a bound app's login. Idempotent: running it twice leaves one user. */
export function addUser(kind: BuiltinKind, instance: string, secret: string, user: string, password: string) {
  if (kind === "postgresql") {
    const db = databaseName(instance);
    const verifier = scramSha256Verifier(password);
    if (!VERIFIER.test(verifier)) throw new Error("unexpected SCRAM verifier form");
    return [
      psql(db, [
        `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(user)}) THEN ` +
          `CREATE ROLE ${ident(user)} LOGIN IN ROLE ${ident(db)}; END IF; END $$`,
        `ALTER ROLE ${ident(user)} LOGIN PASSWORD '${verifier}'`,
        // Sessions act as the owner, so every bound app sees (and owns) the same tables.
        `ALTER ROLE ${ident(user)} SET role = ${literal(db)}`,
      ]),
    ];
  }
  ident(user);
  return [
    redisCli(
      secret,
      ["ACL", "SETUSER", user, "reset", "on", `#${sha256Hex(password)}`, "~*", "&*", "+@all", "-@admin"],
      /^"?OK"?$/,
    ),
    redisCli(secret, ["ACL", "SAVE"], /^"?OK"?$/),
  ];
}

/** Drops a bound app's login and disconnects its sessions. Idempotent: a missing user is fine. */
export function dropUser(kind: BuiltinKind, instance: string, secret: string, user: string) {
  if (kind === "postgresql") {
    const db = databaseName(instance);
    const exists = `EXISTS (SELECT FROM pg_roles WHERE rolname = ${literal(user)})`;
    return [
      psql(db, [
        // No new logins first, then the open sessions go, then the role (its objects to the owner).
        `DO $$ BEGIN IF ${exists} THEN ALTER ROLE ${ident(user)} NOLOGIN; END IF; END $$`,
        `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = ${literal(user)}`,
        `DO $$ BEGIN IF ${exists} THEN REASSIGN OWNED BY ${ident(user)} TO ${ident(db)}; ` +
          `DROP OWNED BY ${ident(user)}; DROP ROLE ${ident(user)}; END IF; END $$`,
      ]),
    ];
  }
  ident(user);
  return [
    redisCli(secret, ["ACL", "DELUSER", user], /^\(integer\) \d+$|^\d+$/),
    redisCli(secret, ["ACL", "SAVE"], /^"?OK"?$/),
  ];
}

/** A live memory change for a plan update (PostgreSQL only needs the container limit). */
export function memoryChange(kind: BuiltinKind, secret: string, memory: number): AdminCommand[] {
  if (kind === "postgresql") return [];
  const max = Math.floor((memory * 3) / 4);
  return [redisCli(secret, ["CONFIG", "SET", "maxmemory", String(max)], /^"?OK"?$/)];
}
