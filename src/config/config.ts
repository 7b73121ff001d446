// Server configuration, read from the environment (WHARF_*) with safe defaults for the
// embedded single-machine setup. Secrets (admin password, database URL) are never logged.
import { join } from "node:path";
import { homedir } from "node:os";

export interface RouterConfig {
  name: string;
  type: string;
  /** Apps get <app>.<domain> as their address on this router. */
  domain: string;
  default: boolean;
}

export interface WharfConfig {
  /** Directory for the SQLite file and other local state. */
  dataDir: string;
  host: string;
  port: number;
  /** postgres://… to use PostgreSQL; empty for SQLite in dataDir. */
  databaseUrl: string;
  /** First admin created on first start when both are set (never a default password). */
  adminEmail: string;
  adminPassword: string;
  /** Largest accepted request body, in bytes (uploads have their own limit). */
  bodyLimit: number;
  /** Largest code upload (compressed), and most bytes / entries it may unpack to. */
  uploadLimit: number;
  uploadMaxFiles: number;
  logLevel: string;
  /** Anyone may POST /users without a token (tsuru auth:user-registration). */
  userRegistration: boolean;
  /** Session token lifetime (tsuru native default: 7 days). */
  sessionTtlMs: number;
  /** Failed logins allowed per user and per client address in loginWindowMs before 429. */
  loginMaxFailuresPerUser: number;
  loginMaxFailuresPerAddress: number;
  loginWindowMs: number;
  routers: RouterConfig[];
  /** Identifies this server's running events so a restart can close what it left running. */
  instanceId: string;
  /**
   * SQLite durability: FULL fsyncs every commit (survives power loss); NORMAL survives a
   * crash of the process (kill -9) but may lose the last commits on power loss.
   */
  sqliteSynchronous: "FULL" | "NORMAL";
  /** ca.pem/cert.pem/key.pem: Wharf's client certificate for node engines ("" = insecure nodes only). */
  nodeTlsDir: string;
  /** Node health monitor: ping period, ping timeout, failures in a row that make a node unhealthy. */
  nodeMonitorIntervalMs: number;
  nodeMonitorTimeoutMs: number;
  nodeFailureThreshold: number;
  /** host:port of the cluster registry; "" = no cluster (deploys and units are off). */
  registry: string;
  /** The base image as nodes pull it, for platform builds (BASE_IMAGE build arg). */
  baseImage: string;
  /** Concurrent builds per node, and the CPU/memory of each build. */
  buildsPerNode: number;
  buildCpuMilli: number;
  buildMemory: number;
  /** Old units keep serving this long after routes switch, before SIGTERM. */
  drainMs: number;
  /** App log lines kept per app (store and memory). */
  logHistoryLines: number;
  /** The server collects unit logs itself from nodes whose agent is not reporting. */
  logCollector: boolean;
  /** The server samples unit metrics itself on nodes whose agent is not reporting. */
  metricsCollector: boolean;
  /**
   * The API address node agents use, reachable from the nodes ("" = the listening address
   * when that is neither loopback nor a wildcard).
   */
  agentApiUrl: string;
  /** How often node agents report; an agent silent for 3 intervals makes its node be polled at once. */
  agentIntervalMs: number;
  /** A ready agent image for the wharf-agent node container ("" = build it from this server's code). */
  agentImage: string;
  /**
   * TEST-ONLY (WHARF_TEST_CRASH_AT): the step at which the server kills itself with SIGKILL
   * (src/util/crash-point.ts lists them); "" = never. For the crash tests alone.
   */
  testCrashAt: string;
  /** smtp[s]://[user:password@]host:port of the mail server for password resets ("" = none). */
  smtpUrl: string;
  /** The From: address of Wharf's mails. */
  smtpFrom: string;
  /**
   * The API's address as users reach it (http[s]://host[:port]), for git remote URLs; "" = the
   * address each request came in on.
   */
  publicUrl: string;
  /** Silence after which long-operation streams write a keep-alive (tsuru: 30 s). */
  streamKeepAliveMs: number;
  /** Event webhooks: one call's limit, calls per event, and the first retry's wait (doubling). */
  webhookTimeoutMs: number;
  webhookAttempts: number;
  webhookRetryMs: number;
  /** The dashboard's built files ("" = dist/dashboard of this installation). */
  dashboardDir: string;
  /** The Docker-API cluster endpoint (src/dockerapi): its own port with mutual TLS; null = off. */
  dockerApiPort: number | null;
  /** Address it listens on ("" = the API's host). */
  dockerApiHost: string;
  /** DOCKER_HOST users are told to export ("" = tcp://<listening address>). */
  dockerApiUrl: string;
  /** The endpoint's CA (ca.pem, ca-key.pem) and server certificate ("" = <dataDir>/docker-ca); share it between servers. */
  dockerCaDir: string;
  /** Extra names and IPs the endpoint's server certificate is valid for (besides the host it listens on). */
  dockerApiSans: string[];
}

/** Checks the URL's shape at start-up, so a typo stops the server with a sentence. */
function validateSmtpUrl(raw: string): void {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error("WHARF_SMTP_URL is not a URL: write it as smtp://[user:password@]host:port");
  }
  if (u.protocol !== "smtp:" && u.protocol !== "smtps:")
    throw new Error("WHARF_SMTP_URL must start with smtp:// or smtps://");
  if (!u.hostname) throw new Error("WHARF_SMTP_URL has no host: write it as smtp://host:port");
}

/** The steps src/util/crash-point.ts knows. */
const CRASH_STEPS = ["intent-recorded", "container-created", "route-published"];

function int(v: string | undefined, dflt: number): number {
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`invalid number "${v}" in configuration`);
  return n;
}

function positive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`invalid ${name} "${v}": use a whole number of at least 1`);
  return n;
}

export function defaultConfig(): WharfConfig {
  return {
    dataDir: join(homedir(), ".wharf"),
    host: "127.0.0.1",
    port: 8080,
    databaseUrl: "",
    adminEmail: "",
    adminPassword: "",
    bodyLimit: 1024 * 1024,
    uploadLimit: 512 * 1024 * 1024,
    uploadMaxFiles: 100_000,
    logLevel: "info",
    userRegistration: false,
    sessionTtlMs: 7 * 24 * 3600 * 1000,
    loginMaxFailuresPerUser: 10,
    loginMaxFailuresPerAddress: 50,
    loginWindowMs: 15 * 60 * 1000,
    routers: [{ name: "wharf", type: "wharf", domain: "wharf.localhost", default: true }],
    instanceId: "wharf-1",
    sqliteSynchronous: "FULL",
    nodeTlsDir: "",
    nodeMonitorIntervalMs: 1000,
    nodeMonitorTimeoutMs: 1000,
    nodeFailureThreshold: 3,
    registry: "",
    baseImage: "",
    buildsPerNode: 2,
    buildCpuMilli: 2000,
    buildMemory: 2 * 2 ** 30,
    drainMs: 1000,
    logHistoryLines: 1000,
    logCollector: true,
    metricsCollector: true,
    agentApiUrl: "",
    agentIntervalMs: 2000,
    agentImage: "",
    testCrashAt: "",
    smtpUrl: "",
    smtpFrom: "wharf@localhost",
    publicUrl: "",
    streamKeepAliveMs: 30_000,
    webhookTimeoutMs: 15_000,
    webhookAttempts: 5,
    webhookRetryMs: 1000,
    dashboardDir: "",
    dockerApiPort: null,
    dockerApiHost: "",
    dockerApiUrl: "",
    dockerCaDir: "",
    dockerApiSans: [],
  };
}

/** Configuration from environment variables layered over defaults and `overrides`. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<WharfConfig> = {},
): WharfConfig {
  const d = defaultConfig();
  const fromEnv: Partial<WharfConfig> = {};
  if (env.WHARF_DATA_DIR) fromEnv.dataDir = env.WHARF_DATA_DIR;
  if (env.WHARF_HOST) fromEnv.host = env.WHARF_HOST;
  if (env.WHARF_PORT) fromEnv.port = int(env.WHARF_PORT, d.port);
  if (env.WHARF_DATABASE_URL) fromEnv.databaseUrl = env.WHARF_DATABASE_URL;
  if (env.WHARF_ADMIN_EMAIL) fromEnv.adminEmail = env.WHARF_ADMIN_EMAIL;
  if (env.WHARF_ADMIN_PASSWORD) fromEnv.adminPassword = env.WHARF_ADMIN_PASSWORD;
  if (env.WHARF_BODY_LIMIT) fromEnv.bodyLimit = int(env.WHARF_BODY_LIMIT, d.bodyLimit);
  if (env.WHARF_UPLOAD_LIMIT) fromEnv.uploadLimit = positive(env.WHARF_UPLOAD_LIMIT, "WHARF_UPLOAD_LIMIT");
  if (env.WHARF_UPLOAD_MAX_FILES)
    fromEnv.uploadMaxFiles = positive(env.WHARF_UPLOAD_MAX_FILES, "WHARF_UPLOAD_MAX_FILES");
  if (env.WHARF_LOG_LEVEL) fromEnv.logLevel = env.WHARF_LOG_LEVEL;
  if (env.WHARF_USER_REGISTRATION) fromEnv.userRegistration = env.WHARF_USER_REGISTRATION === "true";
  if (env.WHARF_INSTANCE_ID) fromEnv.instanceId = env.WHARF_INSTANCE_ID;
  if (env.WHARF_SQLITE_SYNCHRONOUS === "NORMAL" || env.WHARF_SQLITE_SYNCHRONOUS === "FULL")
    fromEnv.sqliteSynchronous = env.WHARF_SQLITE_SYNCHRONOUS;
  if (env.WHARF_NODE_TLS_DIR) fromEnv.nodeTlsDir = env.WHARF_NODE_TLS_DIR;
  if (env.WHARF_NODE_MONITOR_INTERVAL_MS)
    fromEnv.nodeMonitorIntervalMs = positive(
      env.WHARF_NODE_MONITOR_INTERVAL_MS,
      "WHARF_NODE_MONITOR_INTERVAL_MS",
    );
  if (env.WHARF_NODE_MONITOR_TIMEOUT_MS)
    fromEnv.nodeMonitorTimeoutMs = positive(
      env.WHARF_NODE_MONITOR_TIMEOUT_MS,
      "WHARF_NODE_MONITOR_TIMEOUT_MS",
    );
  if (env.WHARF_NODE_FAILURE_THRESHOLD)
    fromEnv.nodeFailureThreshold = positive(env.WHARF_NODE_FAILURE_THRESHOLD, "WHARF_NODE_FAILURE_THRESHOLD");
  if (env.WHARF_REGISTRY) fromEnv.registry = env.WHARF_REGISTRY;
  if (env.WHARF_BASE_IMAGE) fromEnv.baseImage = env.WHARF_BASE_IMAGE;
  if (env.WHARF_BUILDS_PER_NODE)
    fromEnv.buildsPerNode = positive(env.WHARF_BUILDS_PER_NODE, "WHARF_BUILDS_PER_NODE");
  if (env.WHARF_BUILD_CPU_MILLI)
    fromEnv.buildCpuMilli = positive(env.WHARF_BUILD_CPU_MILLI, "WHARF_BUILD_CPU_MILLI");
  if (env.WHARF_BUILD_MEMORY) fromEnv.buildMemory = positive(env.WHARF_BUILD_MEMORY, "WHARF_BUILD_MEMORY");
  if (env.WHARF_DRAIN_MS) fromEnv.drainMs = positive(env.WHARF_DRAIN_MS, "WHARF_DRAIN_MS");
  if (env.WHARF_LOG_HISTORY_LINES) {
    const n = positive(env.WHARF_LOG_HISTORY_LINES, "WHARF_LOG_HISTORY_LINES");
    if (n > 100_000)
      throw new Error(`invalid WHARF_LOG_HISTORY_LINES "${n}": keep at most 100000 lines per app`);
    fromEnv.logHistoryLines = n;
  }
  if (env.WHARF_LOG_COLLECTOR) fromEnv.logCollector = env.WHARF_LOG_COLLECTOR !== "false";
  if (env.WHARF_METRICS_COLLECTOR) fromEnv.metricsCollector = env.WHARF_METRICS_COLLECTOR !== "false";
  if (env.WHARF_AGENT_API_URL) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(env.WHARF_AGENT_API_URL))
      throw new Error(
        `invalid WHARF_AGENT_API_URL "${env.WHARF_AGENT_API_URL}": write it as http://HOST:PORT`,
      );
    fromEnv.agentApiUrl = env.WHARF_AGENT_API_URL.replace(/\/$/, "");
  }
  if (env.WHARF_AGENT_INTERVAL_MS) {
    const n = positive(env.WHARF_AGENT_INTERVAL_MS, "WHARF_AGENT_INTERVAL_MS");
    if (n < 200) throw new Error(`invalid WHARF_AGENT_INTERVAL_MS "${n}": use at least 200`);
    fromEnv.agentIntervalMs = n;
  }
  if (env.WHARF_AGENT_IMAGE) fromEnv.agentImage = env.WHARF_AGENT_IMAGE;
  if (env.WHARF_SMTP_URL) {
    validateSmtpUrl(env.WHARF_SMTP_URL);
    fromEnv.smtpUrl = env.WHARF_SMTP_URL;
  }
  if (env.WHARF_SMTP_FROM) {
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(env.WHARF_SMTP_FROM))
      throw new Error("invalid WHARF_SMTP_FROM: write it as an address, e.g. wharf@example.com");
    fromEnv.smtpFrom = env.WHARF_SMTP_FROM;
  }
  if (env.WHARF_STREAM_KEEPALIVE_MS)
    fromEnv.streamKeepAliveMs = positive(env.WHARF_STREAM_KEEPALIVE_MS, "WHARF_STREAM_KEEPALIVE_MS");
  if (env.WHARF_WEBHOOK_TIMEOUT_MS)
    fromEnv.webhookTimeoutMs = positive(env.WHARF_WEBHOOK_TIMEOUT_MS, "WHARF_WEBHOOK_TIMEOUT_MS");
  if (env.WHARF_WEBHOOK_ATTEMPTS)
    fromEnv.webhookAttempts = positive(env.WHARF_WEBHOOK_ATTEMPTS, "WHARF_WEBHOOK_ATTEMPTS");
  if (env.WHARF_WEBHOOK_RETRY_MS)
    fromEnv.webhookRetryMs = positive(env.WHARF_WEBHOOK_RETRY_MS, "WHARF_WEBHOOK_RETRY_MS");
  if (env.WHARF_PUBLIC_URL) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(env.WHARF_PUBLIC_URL))
      throw new Error(`invalid WHARF_PUBLIC_URL "${env.WHARF_PUBLIC_URL}": write it as http://HOST:PORT`);
    fromEnv.publicUrl = env.WHARF_PUBLIC_URL.replace(/\/$/, "");
  }
  if (env.WHARF_DASHBOARD_DIR) fromEnv.dashboardDir = env.WHARF_DASHBOARD_DIR;
  if (env.WHARF_DOCKER_API_PORT && env.WHARF_DOCKER_API_PORT !== "off") {
    const n = Number(env.WHARF_DOCKER_API_PORT);
    if (!Number.isInteger(n) || n < 0 || n > 65535)
      throw new Error(
        `invalid WHARF_DOCKER_API_PORT "${env.WHARF_DOCKER_API_PORT}": use a port from 0 to 65535, or off`,
      );
    fromEnv.dockerApiPort = n;
  }
  if (env.WHARF_DOCKER_API_HOST) fromEnv.dockerApiHost = env.WHARF_DOCKER_API_HOST;
  if (env.WHARF_DOCKER_API_URL) {
    if (!/^tcp:\/\/[^/\s]+:\d+$/.test(env.WHARF_DOCKER_API_URL))
      throw new Error(
        `invalid WHARF_DOCKER_API_URL "${env.WHARF_DOCKER_API_URL}": write it as tcp://HOST:PORT`,
      );
    fromEnv.dockerApiUrl = env.WHARF_DOCKER_API_URL;
  }
  if (env.WHARF_DOCKER_CA_DIR) fromEnv.dockerCaDir = env.WHARF_DOCKER_CA_DIR;
  if (env.WHARF_DOCKER_API_SANS)
    fromEnv.dockerApiSans = env.WHARF_DOCKER_API_SANS.split(",")
      .map((x) => x.trim())
      .filter(Boolean);
  if (env.WHARF_ROUTER_DOMAIN) fromEnv.routers = [{ ...d.routers[0]!, domain: env.WHARF_ROUTER_DOMAIN }];
  if (env.WHARF_TEST_CRASH_AT) {
    if (!CRASH_STEPS.includes(env.WHARF_TEST_CRASH_AT))
      throw new Error(
        `invalid WHARF_TEST_CRASH_AT "${env.WHARF_TEST_CRASH_AT.slice(0, 40)}": use one of ${CRASH_STEPS.join(", ")}`,
      );
    fromEnv.testCrashAt = env.WHARF_TEST_CRASH_AT;
  }
  return { ...d, ...fromEnv, ...overrides };
}
