// The Store contract: every record the control plane persists and every operation on it.
// Domain code depends on this file only; src/store/sqlite and src/store/postgres implement it.
//
// Conventions (so both backends behave identically):
// - Every method is async. Outside `tx`, each call is atomic on its own.
// - Missing record on get/update/delete → NotFoundError; duplicate unique key → ConflictError;
//   a lock held by a running event → LockedError; quota exceeded → QuotaExceededError
//   (all in ./errors.ts). `find*` methods return null instead of throwing.
// - Inside `store.tx(async (t) => ...)` use only `t`: calling `store` from inside the callback
//   would wait for the transaction itself on SQLite (one writer) and deadlock.
// - Times are Date objects (stored with millisecond precision). null means "never/none".
// - Secrets: records carry only password hashes and token hashes, never plaintext.

import type {
  Quota,
  User,
  TokenKind,
  Token,
  Team,
  Role,
  RoleBinding,
  Pool,
  ConstraintField,
  PoolConstraint,
  Platform,
  Plan,
  EnvVar,
  App,
  NewApp,
  AppPatch,
  AppFilter,
  QuotaSubject,
  AppCountSubject,
  NodeRecord,
  NodePatch,
  NodeHealthRecord,
  AppVersionRecord,
  AppProcessRecord,
  AppRuntimeRecord,
  UnitRecord,
  UnitPatch,
  UnitHealFields,
  CapacityShortage,
  ServiceRecord,
  ServiceBrokerRecord,
  ServiceInstanceRecord,
  ServiceInstancePatch,
  ServiceBindingRecord,
  ServiceContainerRecord,
  ServiceContainerPatch,
} from "./record-types.js";
import type {
  CancelInfo,
  EventRecord,
  NewEvent,
  EventFilter,
  FinishEvent,
  StaleEventOptions,
  Change,
  Subscription,
  SubscribeOptions,
} from "./event-types.js";

import type {
  AppLogRecord,
  NewAppLog,
  AppLogQuery,
  NodeContainerSpec,
  NodeContainerRecord,
  NodeAgentRecord,
} from "./agent-types.js";
import type {
  UserKeyRecord,
  PasswordResetRecord,
  EventBlockRecord,
  WebhookRecord,
  PoolLogRecord,
  PoolHealingRecord,
  NodeTlsRecord,
} from "./surface-types.js";
import type {
  DockerCertRecord,
  DockerContainerPatch,
  DockerContainerRecord,
  DockerPoolPolicy,
} from "./docker-types.js";

export type * from "./record-types.js";
export type * from "./surface-types.js";
export type * from "./docker-types.js";
export type * from "./event-types.js";
export type * from "./agent-types.js";
export type * from "./metric-types.js";
import type { MetricStoreOps } from "./metric-types.js";

// ---------- the operations ----------

export interface StoreOps extends MetricStoreOps {
  // users
  createUser(user: {
    email: string;
    passwordHash: string;
    createdAt?: Date;
    quotaLimit?: number;
  }): Promise<User>;
  getUser(email: string): Promise<User>;
  findUser(email: string): Promise<User | null>;
  listUsers(filter?: { emails?: string[] }): Promise<User[]>;
  updateUserPassword(email: string, passwordHash: string): Promise<void>;
  /** Also removes the user's tokens and role bindings. */
  deleteUser(email: string): Promise<void>;

  // tokens
  createToken(token: Omit<Token, "createdAt" | "lastAccess"> & { createdAt?: Date }): Promise<Token>;
  getToken(tokenId: string): Promise<Token>;
  findTokenByHash(hash: string): Promise<Token | null>;
  listTokens(filter?: { userEmail?: string; team?: string; kind?: TokenKind }): Promise<Token[]>;
  updateToken(
    tokenId: string,
    patch: { hash?: string; description?: string; expiresAt?: Date | null },
  ): Promise<Token>;
  touchToken(tokenId: string, at?: Date): Promise<void>;
  /** Also removes the token's role bindings. */
  deleteToken(tokenId: string): Promise<void>;
  deleteTokens(filter: { userEmail?: string; team?: string; kind?: TokenKind }): Promise<number>;

  // teams
  createTeam(team: {
    name: string;
    tags?: string[];
    creatorEmail: string;
    quotaLimit?: number;
  }): Promise<Team>;
  getTeam(name: string): Promise<Team>;
  findTeam(name: string): Promise<Team | null>;
  listTeams(filter?: { names?: string[] }): Promise<Team[]>;
  /** Rename cascades to apps' teamOwner and access lists. */
  updateTeam(name: string, patch: { newName?: string; tags?: string[] }): Promise<Team>;
  /** ConflictError while apps reference the team. */
  deleteTeam(name: string): Promise<void>;

  // roles
  createRole(role: Omit<Role, "permissions" | "events"> & Partial<Role>): Promise<Role>;
  getRole(name: string): Promise<Role>;
  findRole(name: string): Promise<Role | null>;
  listRoles(filter?: { names?: string[]; event?: string }): Promise<Role[]>;
  /** Rename cascades to bindings. */
  updateRole(
    name: string,
    patch: Partial<Pick<Role, "contextType" | "description" | "permissions" | "events">> & {
      newName?: string;
    },
  ): Promise<Role>;
  deleteRole(name: string): Promise<void>;

  // role bindings
  /** ConflictError if the same binding exists; NotFoundError if the role does not. */
  addRoleBinding(binding: RoleBinding): Promise<void>;
  /** NotFoundError when no such binding. */
  removeRoleBinding(binding: RoleBinding): Promise<void>;
  listRoleBindings(filter?: Partial<RoleBinding>): Promise<RoleBinding[]>;
  /** Remove every binding matching the filter (e.g. all bindings in team context "t1"). */
  deleteRoleBindings(filter: Partial<RoleBinding>): Promise<number>;

  // pools
  createPool(pool: {
    name: string;
    isDefault?: boolean;
    isPublic?: boolean;
    provisioner?: string;
    labels?: Record<string, string>;
  }): Promise<Pool>;
  getPool(name: string): Promise<Pool>;
  findPool(name: string): Promise<Pool | null>;
  listPools(filter?: { names?: string[] }): Promise<Pool[]>;
  findDefaultPool(): Promise<Pool | null>;
  /** isDefault=true while another pool is default → ConflictError, unless unsetting it first. */
  updatePool(
    name: string,
    patch: Partial<Pick<Pool, "isDefault" | "isPublic" | "provisioner" | "labels" | "imageAllowList">>,
  ): Promise<Pool>;
  /** ConflictError while apps use the pool. */
  deletePool(name: string): Promise<void>;
  /** Upsert by (poolExpr, field); empty values removes the constraint (tsuru behaviour). */
  setPoolConstraint(c: PoolConstraint): Promise<void>;
  removePoolConstraint(poolExpr: string, field: ConstraintField): Promise<void>;
  listPoolConstraints(filter?: { poolExpr?: string; field?: ConstraintField }): Promise<PoolConstraint[]>;

  // platforms
  createPlatform(p: { name: string; disabled?: boolean; image?: string }): Promise<Platform>;
  getPlatform(name: string): Promise<Platform>;
  findPlatform(name: string): Promise<Platform | null>;
  listPlatforms(filter?: { enabledOnly?: boolean }): Promise<Platform[]>;
  /** `image` given: becomes current, version increments and it is prepended to `images`. */
  updatePlatform(name: string, patch: { disabled?: boolean; image?: string }): Promise<Platform>;
  /** ConflictError while apps use it. */
  deletePlatform(name: string): Promise<void>;

  // plans
  createPlan(plan: Plan): Promise<Plan>;
  getPlan(name: string): Promise<Plan>;
  findPlan(name: string): Promise<Plan | null>;
  findDefaultPlan(): Promise<Plan | null>;
  listPlans(): Promise<Plan[]>;
  deletePlan(name: string): Promise<void>;

  // apps
  /** ConflictError on duplicate name or a cname already used by any app. */
  createApp(app: NewApp): Promise<App>;
  getApp(name: string): Promise<App>;
  findApp(name: string): Promise<App | null>;
  listApps(filter?: AppFilter): Promise<App[]>;
  updateApp(name: string, patch: AppPatch): Promise<App>;
  /** Also removes env, cnames and access rows. */
  /** Publishes the app's route again as it is (tsuru `routes rebuild`), when the write commits. */
  republishRoute(app: string): Promise<void>;
  deleteApp(name: string): Promise<void>;
  /** ConflictError if the team already has access; NotFoundError for unknown app/team. */
  grantAppTeam(app: string, team: string): Promise<void>;
  /** NotFoundError if the team has no access. (The "last team" rule is the domain's.) */
  revokeAppTeam(app: string, team: string): Promise<void>;
  /** ConflictError naming the first cname already used by any app. */
  addAppCnames(app: string, cnames: string[]): Promise<void>;
  removeAppCnames(app: string, cnames: string[]): Promise<void>;
  /** Name → app, e.g. for router lookups. */
  findAppByCname(cname: string): Promise<App | null>;
  /** Sorted by name; all variables when names is undefined. */
  getAppEnv(app: string, names?: string[]): Promise<EnvVar[]>;
  /** Upsert by name. */
  setAppEnv(app: string, vars: EnvVar[]): Promise<void>;
  unsetAppEnv(app: string, names: string[]): Promise<number>;

  // quotas (user: apps per user; team: apps per team; app: units per app). Apps per user and
  // per team are counted from the apps (owner, team_owner); units per app are a kept counter.
  getQuota(subject: QuotaSubject, name: string): Promise<Quota>;
  /**
   * Inside the transaction that created an app owned by `name` (or moved one to it), after
   * that write: QuotaExceededError when the subject's apps now pass its non-negative limit,
   * and the transaction must roll back. Exact under concurrency; unlimited subjects (and
   * names with no record) cost one read and wait for nobody.
   */
  checkAppQuota(subject: AppCountSubject, name: string): Promise<void>;
  /** Units: atomically add n to inUse; QuotaExceededError when it would pass a non-negative limit. */
  reserveQuota(subject: "app", name: string, n?: number): Promise<Quota>;
  /** Units: subtract n from inUse (never below 0). */
  releaseQuota(subject: "app", name: string, n?: number): Promise<Quota>;
  /** QuotaExceededError when limit >= 0 and below current use. */
  setQuotaLimit(subject: QuotaSubject, name: string, limit: number): Promise<Quota>;
  /** Units: overwrite inUse (provisioners report the real unit count). */
  setQuotaInUse(subject: "app", name: string, inUse: number): Promise<Quota>;

  // events
  /** LockedError (carrying the holder) if lock/extra-target lock is held by a running event. */
  /** Nodes: a duplicate address or engine id is a ConflictError. */
  createNode(
    n: Omit<NodeRecord, "createdAt" | "updatedAt" | "health"> & { health?: NodeHealthRecord },
  ): Promise<NodeRecord>;
  getNode(address: string): Promise<NodeRecord>;
  findNode(address: string): Promise<NodeRecord | null>;
  listNodes(filter?: { pool?: string }): Promise<NodeRecord[]>;
  updateNode(address: string, patch: NodePatch): Promise<NodeRecord>;
  setNodeHealth(address: string, health: NodeHealthRecord): Promise<void>;
  deleteNode(address: string): Promise<void>;

  /** Certificates per cname (one each; setting again replaces). The key is stored as given: encrypted. */
  setCertificate(c: Omit<CertificateRecord, "createdAt" | "updatedAt">): Promise<CertificateRecord>;
  findCertificate(cname: string): Promise<CertificateRecord | null>;
  listCertificates(filter?: { app?: string }): Promise<CertificateRecord[]>;
  /** NotFoundError when the app has no certificate for the cname. */
  deleteCertificate(app: string, cname: string): Promise<void>;

  // deploys: versions, desired processes, runtime state, units
  /** Allocates the next version number (max + 1) and records it as building. */
  createAppVersion(
    v: Pick<AppVersionRecord, "app" | "origin" | "message" | "owner" | "eventId">,
  ): Promise<AppVersionRecord>;
  findAppVersion(app: string, version: number): Promise<AppVersionRecord | null>;
  /** Newest first. */
  listAppVersions(app: string, filter?: { status?: AppVersionRecord["status"] }): Promise<AppVersionRecord[]>;
  updateAppVersion(
    app: string,
    version: number,
    patch: Partial<
      Pick<AppVersionRecord, "status" | "image" | "imageId" | "processes" | "manifest" | "error">
    >,
  ): Promise<void>;
  /** Marks every building version failed with `error` (after a crash). Returns how many. */
  failBuildingVersions(error: string): Promise<number>;
  deleteAppVersion(app: string, version: number): Promise<void>;
  listAppProcesses(app: string): Promise<AppProcessRecord[]>;
  /** Upsert. */
  setAppProcess(p: AppProcessRecord): Promise<void>;
  deleteAppProcess(app: string, process: string): Promise<void>;
  /** Defaults (version 0, generation 0) for an app never deployed. */
  getAppRuntime(app: string): Promise<AppRuntimeRecord>;
  setRoutableVersion(app: string, version: number): Promise<void>;
  setAppConstraints(app: string, constraints: string[]): Promise<void>;
  /** Bumps and returns the app's restart generation. */
  bumpRestartGen(app: string): Promise<number>;
  /** Records (or, with null, clears) the healer's capacity shortage for the app. */
  setAppCapacity(app: string, shortage: CapacityShortage | null): Promise<void>;
  /** Apps with a recorded capacity shortage. */
  listCapacityShortages(): Promise<Array<CapacityShortage & { app: string }>>;
  createUnit(
    u: Omit<UnitRecord, "createdAt" | "updatedAt" | keyof UnitHealFields> & Partial<UnitHealFields>,
  ): Promise<UnitRecord>;
  findUnit(id: string): Promise<UnitRecord | null>;
  listUnits(filter?: {
    app?: string;
    process?: string;
    node?: string;
    routable?: boolean;
    status?: UnitRecord["status"][];
  }): Promise<UnitRecord[]>;
  updateUnit(id: string, patch: UnitPatch): Promise<UnitRecord>;
  deleteUnit(id: string): Promise<void>;

  // services (tsuru service APIs), OSB brokers, instances and app bindings
  /** ConflictError when the name is taken. */
  createService(s: Omit<ServiceRecord, "createdAt" | "updatedAt">): Promise<ServiceRecord>;
  findService(name: string): Promise<ServiceRecord | null>;
  listServices(): Promise<ServiceRecord[]>;
  updateService(
    name: string,
    patch: Partial<
      Pick<ServiceRecord, "endpoint" | "username" | "passwordSealed" | "teamOwner" | "teams" | "doc">
    >,
  ): Promise<ServiceRecord>;
  deleteService(name: string): Promise<void>;
  createServiceBroker(b: Omit<ServiceBrokerRecord, "createdAt" | "updatedAt">): Promise<ServiceBrokerRecord>;
  findServiceBroker(name: string): Promise<ServiceBrokerRecord | null>;
  listServiceBrokers(): Promise<ServiceBrokerRecord[]>;
  updateServiceBroker(
    name: string,
    patch: Partial<Pick<ServiceBrokerRecord, "url" | "authSealed" | "config">>,
  ): Promise<ServiceBrokerRecord>;
  deleteServiceBroker(name: string): Promise<void>;
  /** ConflictError when (service, name) exists. */
  createServiceInstance(
    i: Omit<ServiceInstanceRecord, "createdAt" | "updatedAt">,
  ): Promise<ServiceInstanceRecord>;
  findServiceInstance(service: string, name: string): Promise<ServiceInstanceRecord | null>;
  /** `teams`: only instances one of these teams may use. */
  listServiceInstances(filter?: { service?: string; teams?: string[] }): Promise<ServiceInstanceRecord[]>;
  updateServiceInstance(
    service: string,
    name: string,
    patch: ServiceInstancePatch,
  ): Promise<ServiceInstanceRecord>;
  deleteServiceInstance(service: string, name: string): Promise<void>;
  /** ConflictError when the app is already bound to the instance. */
  createServiceBinding(b: Omit<ServiceBindingRecord, "createdAt">): Promise<ServiceBindingRecord>;
  listServiceBindings(filter?: {
    service?: string;
    instance?: string;
    app?: string;
  }): Promise<ServiceBindingRecord[]>;
  deleteServiceBinding(service: string, instance: string, app: string): Promise<void>;
  /** Built-in service containers. ConflictError when the uuid, (service, instance) or (node, port) is taken. */
  createServiceContainer(
    c: Omit<ServiceContainerRecord, "createdAt" | "updatedAt">,
  ): Promise<ServiceContainerRecord>;
  findServiceContainer(uuid: string): Promise<ServiceContainerRecord | null>;
  listServiceContainers(filter?: { service?: string; node?: string }): Promise<ServiceContainerRecord[]>;
  /** NotFoundError when missing; ConflictError when the (node, port) is taken. */
  updateServiceContainer(uuid: string, patch: ServiceContainerPatch): Promise<ServiceContainerRecord>;
  /** No error when already gone. */
  deleteServiceContainer(uuid: string): Promise<void>;

  // app log history (bounded per app), node containers and node agents
  /** Stores the lines of apps that exist (others are dropped), then keeps each app's newest keepPerApp. */
  appendAppLogs(lines: NewAppLog[], keepPerApp: number): Promise<AppLogRecord[]>;
  /** The newest q.limit matching lines of the app, oldest first. */
  listAppLogs(app: string, q: AppLogQuery): Promise<AppLogRecord[]>;
  /** The newest stored line's date per unit, for units that have any. */
  listUnitLogMarks(units: string[]): Promise<Record<string, Date>>;
  /** Upsert by (spec.Name, pool); pool "" is the default entry. */
  setNodeContainer(pool: string, spec: NodeContainerSpec): Promise<NodeContainerRecord>;
  listNodeContainers(filter?: { name?: string }): Promise<NodeContainerRecord[]>;
  /** Without pool: every entry of the name. Returns how many rows went. */
  deleteNodeContainer(name: string, pool?: string): Promise<number>;
  /** Upsert by node: a new token hash replaces the old one (the old token stops working). */
  setNodeAgent(a: { node: string; tokenHash: string; container: string }): Promise<void>;
  findNodeAgent(node: string): Promise<NodeAgentRecord | null>;
  findNodeAgentByHash(hash: string): Promise<NodeAgentRecord | null>;
  listNodeAgents(): Promise<NodeAgentRecord[]>;
  recordNodeAgentReport(node: string, at: Date, report: unknown): Promise<void>;
  deleteNodeAgent(node: string): Promise<void>;

  // users' SSH keys, password resets, sealed API keys
  /** ConflictError (entity "key-name") for a name the user has, (entity "key") for a key any user has. */
  addUserKey(k: Omit<UserKeyRecord, "createdAt">, opts?: { replace?: boolean }): Promise<UserKeyRecord>;
  listUserKeys(filter?: { userEmail?: string; fingerprint?: string }): Promise<UserKeyRecord[]>;
  /** NotFoundError when the user has no key of that name. */
  deleteUserKey(userEmail: string, name: string): Promise<void>;
  createPasswordReset(r: Omit<PasswordResetRecord, "createdAt" | "used">): Promise<void>;
  findPasswordReset(tokenHash: string): Promise<PasswordResetRecord | null>;
  /** Marks it used; false when it was already used (two resets racing with one token). */
  usePasswordReset(tokenHash: string): Promise<boolean>;
  /** The sealed secret of an API key token (token-show); removed with the token. */
  setApiKeySecret(tokenId: string, sealed: string): Promise<void>;
  findApiKeySecret(tokenId: string): Promise<string | null>;

  // event blocks and webhooks
  createEventBlock(b: Omit<EventBlockRecord, "endTime" | "active">): Promise<EventBlockRecord>;
  /** Newest first. */
  listEventBlocks(filter?: { active?: boolean; limit?: number }): Promise<EventBlockRecord[]>;
  /** Deactivates an active block; NotFoundError when no active block has the id. */
  deactivateEventBlock(id: string, at?: Date): Promise<EventBlockRecord>;
  /** ConflictError when the name is taken. */
  createWebhook(w: Omit<WebhookRecord, "createdAt" | "updatedAt">): Promise<WebhookRecord>;
  findWebhook(name: string): Promise<WebhookRecord | null>;
  /** `teams`: only webhooks owned by one of them. */
  listWebhooks(filter?: { teams?: string[] }): Promise<WebhookRecord[]>;
  updateWebhook(
    name: string,
    patch: Partial<Omit<WebhookRecord, "name" | "createdAt" | "updatedAt">>,
  ): Promise<WebhookRecord>;
  deleteWebhook(name: string): Promise<void>;

  // per-pool settings and per-node TLS
  setPoolLogSettings(s: Omit<PoolLogRecord, "updatedAt">): Promise<PoolLogRecord>;
  listPoolLogSettings(): Promise<PoolLogRecord[]>;
  /** Upsert; a record whose fields are all null is removed. */
  setPoolHealing(s: Omit<PoolHealingRecord, "updatedAt">): Promise<PoolHealingRecord | null>;
  listPoolHealing(): Promise<PoolHealingRecord[]>;
  /** Upsert; the node must exist. */
  setNodeTls(t: NodeTlsRecord): Promise<void>;
  listNodeTls(): Promise<NodeTlsRecord[]>;
  // the Docker-API cluster endpoint (src/dockerapi)
  /** ConflictError when the serial exists. */
  createDockerCert(c: Omit<DockerCertRecord, "createdAt" | "revokedAt">): Promise<DockerCertRecord>;
  findDockerCert(serial: string): Promise<DockerCertRecord | null>;
  listDockerCerts(filter?: { userEmail?: string }): Promise<DockerCertRecord[]>;
  /** Keeps the first revocation time; NotFoundError when the serial is unknown. */
  revokeDockerCert(serial: string, at?: Date): Promise<void>;
  /** ConflictError when the team already has a container of that name (or the swarm id exists). */
  createDockerContainer(
    c: Omit<DockerContainerRecord, "createdAt" | "updatedAt">,
  ): Promise<DockerContainerRecord>;
  findDockerContainer(swarmId: string): Promise<DockerContainerRecord | null>;
  listDockerContainers(filter?: {
    teams?: string[];
    node?: string;
    pool?: string;
  }): Promise<DockerContainerRecord[]>;
  /**
   * Null when no record matches (also when `expect` does not: a compare-and-set, so only one
   * server claims a container to reschedule). ConflictError on a rename onto a used name.
   */
  updateDockerContainer(
    swarmId: string,
    patch: DockerContainerPatch,
    expect?: { node?: string; phase?: DockerContainerRecord["phase"] },
  ): Promise<DockerContainerRecord | null>;
  /** No error when already gone. */
  deleteDockerContainer(swarmId: string): Promise<void>;
  /** The pool's policy, or the default (everything refused, 100 containers per team). */
  getDockerPoolPolicy(pool: string): Promise<DockerPoolPolicy>;
  setDockerPoolPolicy(p: DockerPoolPolicy): Promise<DockerPoolPolicy>;

  createEvent(e: NewEvent): Promise<EventRecord>;
  getEvent(id: string): Promise<EventRecord>;
  findEvent(id: string): Promise<EventRecord | null>;
  listEvents(filter?: EventFilter): Promise<EventRecord[]>;
  appendEventLog(id: string, text: string): Promise<void>;
  setEventOtherData(id: string, data: unknown): Promise<void>;
  /** Ends the event and releases its locks. ConflictError if it already ended. */
  finishEvent(id: string, result?: FinishEvent): Promise<EventRecord>;
  /** Record a cancel request / acknowledgement. */
  updateEventCancel(id: string, patch: Partial<CancelInfo>): Promise<EventRecord>;
  /** Heartbeat: refresh lockUpdateTime of running events of this instance. Returns count. */
  touchRunningEvents(instanceId: string, at?: Date): Promise<number>;
  /**
   * Close running events left by a crashed server, with error
   * "server restarted while this operation was running", releasing their locks.
   * No options: every running event (single-server embedded mode at start). With several servers
   * on PostgreSQL pass { instanceId, heartbeatBefore } so live servers' operations stay open.
   * Returns closed ids.
   */
  closeStaleEvents(opts?: StaleEventOptions): Promise<string[]>;

  // change feed
  /** Append inside the caller's transaction; visible to subscribers after commit. Returns seq. */
  appendChange(kind: string, payload: unknown): Promise<number>;
  changesSince(seq: number, limit?: number): Promise<Change[]>;
  latestChangeSeq(): Promise<number>;
  /** Delete changes with seq <= upTo (compaction). */
  pruneChanges(upTo: number): Promise<number>;
}

export type StoreTx = StoreOps;

export type StoreKind = "sqlite" | "postgres";

export interface Store extends StoreOps {
  readonly kind: StoreKind;
  /** Run fn in one transaction; commit when it resolves, roll back when it throws (rethrown). */
  tx<T>(fn: (t: StoreTx) => Promise<T>): Promise<T>;
  /**
   * Receive changes in seq order, at least once each, starting after opts.fromSeq.
   * PostgreSQL: LISTEN/NOTIFY plus polling; SQLite: in-process emitter plus polling (other processes).
   */
  subscribeChanges(
    onChange: (c: Change) => void | Promise<void>,
    opts?: SubscribeOptions,
  ): Promise<Subscription>;
  /**
   * Leadership among the servers sharing this store, for work only one may do at a time (the
   * reconcilers). PostgreSQL: a session advisory lock on a connection of its own, held until
   * release() or until that connection drops (then `lost` settles and another server can take
   * it). SQLite has one server per database file: always granted. Null: another server leads.
   */
  tryLeadership(name: string): Promise<Leadership | null>;
  /** Schema versions applied (for diagnostics and tests). */
  migrationVersions(): Promise<number[]>;
  close(): Promise<void>;
}

export interface Leadership {
  /** Settles when the leadership ends: its connection dropped, or release(). */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export type StoreConfig =
  | {
      kind: "sqlite";
      /** Database file path (e.g. <dataDir>/wharf.db); ":memory:" for throwaway tests. */
      path: string;
      /** FULL (default) fsyncs the WAL at every commit: survives power loss, not only kill -9. */
      synchronous?: "NORMAL" | "FULL";
      busyTimeoutMs?: number;
      /** Read what another process keeps: no migration, every write rejected, the file must exist. */
      readOnly?: boolean;
    }
  | {
      kind: "postgres";
      url: string;
      /** Schema to use (created if missing). Default "public". Tests use a fresh one per run. */
      schema?: string;
      /** Connections for transactions (default 10). */
      poolSize?: number;
      /** Connections for reads outside transactions (default: poolSize). */
      readPoolSize?: number;
      /** Read what other servers keep: no schema creation or migration, every transaction read-only. */
      readOnly?: boolean;
    };

/** A TLS certificate for one cname of an app; keyEncrypted never leaves the server in clear. */
export interface CertificateRecord {
  cname: string;
  app: string;
  /** PEM chain as uploaded. */
  certificate: string;
  /** AES-256-GCM envelope of the PEM private key (see src/router/secret-box.ts). */
  keyEncrypted: string;
  notAfter: Date;
  createdAt: Date;
  updatedAt: Date;
}
