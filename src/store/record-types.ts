// Control-plane records (users, tokens, teams, roles, catalog, apps, quotas) as the Store returns them.
// Times are Date objects; secrets appear only as hashes.

/** Quota counters as tsuru reports them: limit -1 means unlimited. */
export interface Quota {
  limit: number;
  inUse: number;
}

export interface User {
  email: string;
  passwordHash: string;
  createdAt: Date;
  /** Apps this user may own (tsuru user quota). */
  quota: Quota;
}

export type TokenKind = "session" | "api-key" | "team";

export interface Token {
  /** Stable, unique, user-visible identifier (team token `token_id`; generated for sessions). */
  tokenId: string;
  /** Hash of the secret (e.g. sha256 hex). The secret itself is never stored. Unique. */
  hash: string;
  kind: TokenKind;
  /** Owner for session/api-key tokens; creator for team tokens. */
  userEmail: string | null;
  /** Team for team tokens, null otherwise. */
  team: string | null;
  description: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastAccess: Date | null;
}

export interface Team {
  name: string;
  tags: string[];
  creatorEmail: string;
  createdAt: Date;
  /** Apps this team may own. */
  quota: Quota;
}

export type RoleContextType = "global" | "team" | "app" | "pool" | "iaas" | "service" | "service-instance";

export interface Role {
  name: string;
  contextType: RoleContextType;
  description: string;
  /** Dotted permission names ("app", "app.deploy", ...). */
  permissions: string[];
  /**
   * Default-role events this role is given on ("user-create", "team-create"), as tsuru stores
   * default roles (role-default-add). listRoles({ event }) answers "which roles on user create".
   */
  events: string[];
}

export type BindingSubjectType = "user" | "token";

/** A role granted to a user (by email) or a token (by tokenId) in a context value ("" for global). */
export interface RoleBinding {
  subjectType: BindingSubjectType;
  subject: string;
  roleName: string;
  contextValue: string;
}

export interface Pool {
  name: string;
  /** At most one pool is default (enforced by the database). */
  isDefault: boolean;
  /**
   * Convenience flag mirroring tsuru's rule "public = team constraint is exactly ['*']".
   * The domain layer keeps it in step with the team constraint.
   */
  isPublic: boolean;
  /** "" means the default provisioner. */
  provisioner: string;
  labels: Record<string, string>;
  /** Patterns of external images its apps may deploy (`quay.io/org/*`); empty: any. */
  imageAllowList: string[];
  createdAt: Date;
}

export type ConstraintField = "team" | "router" | "service" | "plan";

/** tsuru pool constraint: poolExpr is a pool name or glob ("*", "prod-*"). Key: (poolExpr, field). */
export interface PoolConstraint {
  poolExpr: string;
  field: ConstraintField;
  values: string[];
  /** true: values are denied; false: only values are allowed. */
  blacklist: boolean;
}

export interface Platform {
  name: string;
  disabled: boolean;
  /** Current image version number (0 before the first build). */
  version: number;
  /** Current image reference ("" before the first build). */
  image: string;
  /** Every image built for this platform, newest first (platform-info). */
  images: string[];
  createdAt: Date;
}

export interface Plan {
  name: string;
  /** Bytes; 0 = unlimited. */
  memory: number;
  /** Bytes; 0 = none. */
  swap: number;
  /** Thousandths of a CPU; 0 = unlimited. */
  cpuMilli: number;
  /** Relative CPU weight as tsuru 1.7 plans report it. */
  cpuShare: number;
  /** At most one plan is default (enforced by the database). */
  isDefault: boolean;
}

export interface EnvVar {
  name: string;
  value: string;
  /** false = private: masked on read. */
  public: boolean;
  /** Service instance this variable comes from ("" for user-set variables). */
  alias: string;
}

export interface App {
  name: string;
  platform: string;
  /** Pinned platform version ("v2"), "" when following the latest. */
  platformVersion: string;
  plan: string;
  pool: string;
  teamOwner: string;
  /** Teams with access, including teamOwner. */
  teams: string[];
  /** Email of the creating user (tsuru `owner`). */
  owner: string;
  description: string;
  tags: string[];
  /** Router names and their options; empty when the app has no router. */
  routers: AppRouter[];
  /** Globally unique across apps (enforced by the database). */
  cnames: string[];
  /** Units per app (tsuru app quota). */
  quota: Quota;
  deploys: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface AppRouter {
  name: string;
  opts: Record<string, string>;
}

export interface NewApp {
  name: string;
  platform: string;
  platformVersion?: string;
  plan: string;
  pool: string;
  teamOwner: string;
  /** Extra teams besides teamOwner (teamOwner is always added). */
  teams?: string[];
  owner: string;
  description?: string;
  tags?: string[];
  routers?: AppRouter[];
  cnames?: string[];
  /** Default -1 (unlimited). */
  quotaLimit?: number;
  createdAt?: Date;
}

export type AppPatch = Partial<
  Pick<
    App,
    "platform" | "platformVersion" | "plan" | "pool" | "teamOwner" | "description" | "tags" | "routers"
  >
> & { deploys?: number };

export interface AppFilter {
  /** Exact names. */
  names?: string[];
  /** Substring of the name (tsuru `name` filter is a regex; the domain narrows further if needed). */
  nameContains?: string;
  pool?: string;
  platform?: string;
  teamOwner?: string;
  owner?: string;
  /** App must carry every tag. */
  tags?: string[];
  /** Visibility: only apps that at least one of these teams has access to. Undefined = all apps. */
  accessibleByTeams?: string[];
}

export type QuotaSubject = "user" | "team" | "app";
/** Quota subjects whose use is the number of apps they own. */
export type AppCountSubject = Exclude<QuotaSubject, "app">;

/** A node's health as the monitor last recorded it (tsuru's LastSuccess/Failures/LastError). */
export interface NodeHealthRecord {
  state: "pending" | "healthy" | "unhealthy";
  failures: number;
  lastSuccess: Date | null;
  lastError: string;
  lastErrorAt: Date | null;
  /** When the state last changed. */
  since: Date;
}

/** A Docker engine in a pool (tsuru's docker-cluster node). */
export interface NodeRecord {
  /** Canonical engine URL, https://HOST:PORT; the key. */
  address: string;
  pool: string;
  /** User metadata such as zone=a (pool is kept in `pool`, not here). */
  metadata: Record<string, string>;
  engineId: string;
  engineName: string;
  /** Engine specs as constraint labels (storagedriver, kernelversion, ... and engine labels). */
  labels: Record<string, string>;
  cpus: number;
  memory: number;
  /** Disabled nodes receive no new units. */
  disabled: boolean;
  health: NodeHealthRecord;
  createdAt: Date;
  updatedAt: Date;
}

export interface NodePatch {
  pool?: string;
  metadata?: Record<string, string>;
  disabled?: boolean;
  labels?: Record<string, string>;
  cpus?: number;
  memory?: number;
  engineName?: string;
}

/** A built (or building) image of an app: `<registry>/<app>:v<version>`. */
export interface AppVersionRecord {
  app: string;
  version: number;
  /** building → ready | failed. Only ready versions can become routable. */
  status: "building" | "ready" | "failed";
  image: string;
  /** The engine's id of the image as built ("" for versions built before it was recorded). */
  imageId: string;
  /** Procfile processes: name → command ("" = the platform's start). */
  processes: Record<string, string>;
  /** tsuru.yaml bits the rollout needs (healthcheck, hooks), as parsed at build time. */
  manifest: Record<string, unknown>;
  /** upload | image | dockerfile | rollback */
  origin: string;
  message: string;
  owner: string;
  eventId: string;
  error: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Desired state of one process of an app. */
export interface AppProcessRecord {
  app: string;
  process: string;
  units: number;
  stopped: boolean;
}

/** Runtime state of an app: the version the router sends traffic to. */
export interface AppRuntimeRecord {
  app: string;
  /** 0 = never deployed. */
  routableVersion: number;
  /** Bumped by env changes and restarts: units started with an older generation get replaced. */
  restartGen: number;
  /** Placement constraints (Swarm expressions) for new units. */
  constraints: string[];
  /** Units lost with a node that no healthy node of the pool can take now (healer). */
  capacity: CapacityShortage | null;
}

/** The healer's note that some of an app's lost units have nowhere to go. */
export interface CapacityShortage {
  /** Units without a replacement. */
  missing: number;
  /** The scheduler's sentence for the first unit that did not fit. */
  reason: string;
  since: Date;
}

export type UnitStatus = "created" | "starting" | "started" | "stopped" | "error" | "removing";

/** One container of an app on a node. The row exists before the container does. */
export interface UnitRecord {
  id: string;
  app: string;
  process: string;
  version: number;
  /** Node address (https://HOST:PORT). */
  node: string;
  containerId: string;
  /** Where the unit answers (node IP and published port), once started. */
  host: string;
  port: number;
  status: UnitStatus;
  /** Receives traffic through the router. */
  routable: boolean;
  restartGen: number;
  error: string;
  /** Replacements of this unit's slot so far (a replacement inherits its predecessor's count). */
  restarts: number;
  /** Why the slot's last container stopped ("exited with code 3", "its container disappeared"). */
  lastExitReason: string;
  lastExitCode: number | null;
  lastExitAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The healing history a new unit row may start with (createUnit); all default to none. */
export type UnitHealFields = Pick<UnitRecord, "restarts" | "lastExitReason" | "lastExitCode" | "lastExitAt">;

export interface UnitPatch extends Partial<UnitHealFields> {
  containerId?: string;
  host?: string;
  port?: number;
  status?: UnitStatus;
  routable?: boolean;
  error?: string;
  /** A restart of other processes re-stamps this process's units with the new generation. */
  restartGen?: number;
}

/** A tsuru service API registered from a manifest (service-create). */
export interface ServiceRecord {
  name: string;
  /** Base URL of the service API (endpoint.production). */
  endpoint: string;
  username: string;
  /** AES-256-GCM envelope of the password; the plaintext is never stored. */
  passwordSealed: string;
  teamOwner: string;
  /** Teams allowed to use the service, teamOwner included. */
  teams: string[];
  doc: string;
  createdAt: Date;
  updatedAt: Date;
}

/** An Open Service Broker v2 endpoint; its catalog services appear as `<broker>::<service>`. */
export interface ServiceBrokerRecord {
  name: string;
  url: string;
  /** Sealed JSON {username,password} or {token}; "" for no auth. */
  authSealed: string;
  /** Insecure, Context, CacheExpirationSeconds as tsuru keeps them. */
  config: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export type ServiceInstanceState = "provisioning" | "ready" | "failed" | "removing";

export interface ServiceInstanceRecord {
  service: string;
  name: string;
  /** Identifier sent to OSB brokers (tsuru generates one per instance). */
  uuid: string;
  plan: string;
  teamOwner: string;
  teams: string[];
  description: string;
  tags: string[];
  parameters: Record<string, string>;
  state: ServiceInstanceState;
  /** OSB async operation key while provisioning/removing. */
  operation: string;
  /** Last broker description (failed provision, progress). */
  message: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ServiceInstancePatch = Partial<
  Pick<
    ServiceInstanceRecord,
    "plan" | "teamOwner" | "teams" | "description" | "tags" | "parameters" | "state" | "operation" | "message"
  >
>;

/** An app bound to a service instance: the env names the bind added (values live in app env). */
export interface ServiceBindingRecord {
  service: string;
  instance: string;
  app: string;
  bindingId: string;
  envNames: string[];
  createdAt: Date;
}

export type ServiceContainerPhase = "creating" | "running" | "failed" | "removing";

/**
 * The container behind an instance of a built-in service (PostgreSQL, Redis). Written before
 * anything exists on a node; `phase` tells a restarted server what to resume.
 */
export interface ServiceContainerRecord {
  /** The service instance's uuid. */
  uuid: string;
  service: string;
  instance: string;
  teamOwner: string;
  plan: string;
  /** Memory limit of the container, in bytes. */
  memory: number;
  /** Address of the node (https://IP:PORT) holding the container and its volume; "" until placed. */
  node: string;
  /** Host port published on the node's address; fixed so restarts keep the apps' URLs valid. */
  hostPort: number;
  containerId: string;
  volume: string;
  /** The volume was made for this instance (a failed first start may remove it). */
  volumeCreated: boolean;
  /** Sealed JSON of the instance's generated credentials. */
  secretsSealed: string;
  phase: ServiceContainerPhase;
  /** Set with phase "removing": the volume goes too. */
  purge: boolean;
  /** Why the last provision failed, or what it is doing. Never a secret. */
  message: string;
  createdAt: Date;
  updatedAt: Date;
}

export type ServiceContainerPatch = Partial<
  Pick<
    ServiceContainerRecord,
    "node" | "hostPort" | "containerId" | "volumeCreated" | "phase" | "purge" | "message" | "plan" | "memory"
  >
>;
