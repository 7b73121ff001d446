// Records for app logs (a bounded recent history per app), node containers (per-pool
// container configs run on every node) and node agents (the node-scoped tokens of the
// agents Wharf runs as a node container).

/** One line an app printed (or wrote through POST /apps/{app}/log), as stored. */
export interface AppLogRecord {
  /** Increases with every line stored; followers resume after the last id they saw. */
  id: number;
  app: string;
  date: Date;
  message: string;
  /** The process name for unit output ("web", "worker"); "app" or a tool name otherwise. */
  source: string;
  /** The unit id; "" for lines not written by a unit. */
  unit: string;
}

export type NewAppLog = Omit<AppLogRecord, "id">;

export interface AppLogQuery {
  /** The newest `limit` matching lines are returned, oldest first. */
  limit: number;
  source?: string;
  unit?: string;
  afterId?: number;
}

/**
 * A node container config in tsuru's shape (docker Config and HostConfig field names), so
 * node-container-info can show it as tsuru does and Docker takes it as it is.
 */
export interface NodeContainerSpec {
  Name: string;
  /** The image digest the pool's nodes run until an upgrade ("" until first pulled). */
  PinnedImage: string;
  /** null: inherit (a pool entry) / not disabled (the default entry). */
  Disabled: boolean | null;
  Config: {
    Image?: string;
    Env?: string[];
    Cmd?: string[];
    Entrypoint?: string[];
    User?: string;
    WorkingDir?: string;
    Labels?: Record<string, string>;
  };
  HostConfig: {
    Binds?: string[];
    Privileged?: boolean;
    NetworkMode?: string;
    PidMode?: string;
    /** "host" for Wharf's agent: cgroup v2 paths in /proc/<pid>/cgroup are then the host's. */
    CgroupnsMode?: string;
    RestartPolicy?: { Name: string; MaximumRetryCount?: number };
    LogConfig?: { Type: string; Config?: Record<string, string> };
    CapAdd?: string[];
    Memory?: number;
  };
}

export interface NodeContainerRecord {
  name: string;
  /** "" is the default entry for every pool; a pool's entry is merged over it. */
  pool: string;
  spec: NodeContainerSpec;
  createdAt: Date;
  updatedAt: Date;
}

/** The agent of one node: its token (hashed) and what it last reported. */
export interface NodeAgentRecord {
  node: string;
  tokenHash: string;
  /** The node container the token was minted for. */
  container: string;
  createdAt: Date;
  lastReportAt: Date | null;
  /** The last report as the API validated it (unit statuses and checks). */
  report: unknown;
}
