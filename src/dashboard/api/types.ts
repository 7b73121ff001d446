// The API's answers the dashboard reads (tsuru's shapes, plus Wharf's fields).

export interface Unit {
  ID: string;
  Name: string;
  AppName: string;
  ProcessName: string;
  IP: string;
  Status: string;
  Address: { Scheme: string; Host: string } | null;
  Version: number;
  Routable: boolean;
  Node: string;
  Restarts: number;
  LastExitReason: string;
  LastExitCode: number | null;
  LastExitAt: string;
}

export interface Plan {
  name: string;
  memory: number;
  swap: number;
  cpushare: number;
  default?: boolean;
}

export interface AppSummary {
  name: string;
  pool: string;
  teamowner: string;
  plan: Plan;
  units: Unit[];
  cname: string[];
  ip: string;
  lock: { Locked: boolean; Reason: string; Owner: string };
  tags: string[];
}

export interface AppInfo extends AppSummary {
  platform: string;
  teams: string[];
  owner: string;
  description: string;
  deploys: number;
  capacity: { missing: number; reason: string; since: string } | null;
}

export interface Deploy {
  ID: string;
  App: string;
  Timestamp: string;
  Duration: number;
  Error: string;
  Image: string;
  User: string;
  Origin: string;
  CanRollback: boolean;
  Message: string;
  Version: number;
}

export interface EnvVar {
  name: string;
  value: string;
  public: boolean;
}

export interface EventRecord {
  UniqueID: string;
  StartTime: string;
  EndTime: string;
  Target: { Type: string; Value: string };
  Kind: { Type: string; Name: string };
  Owner: { Type: string; Name: string };
  Error: string;
  Log: string;
  Running: boolean;
  CancelInfo?: { Asked: boolean; Reason: string };
}

export interface NodeView {
  Address: string;
  Metadata: Record<string, string>;
  Status: string;
  Pool: string;
  Provisioner: string;
  Disabled: boolean;
  Name: string;
  Cpus: number;
  Memory: number;
  Labels: Record<string, string>;
  Health: {
    State: string;
    Failures: number;
    LastSuccess: string;
    LastError: string;
    LastErrorAt: string;
    Since: string;
  };
}

export interface NodeCheck {
  Name: string;
  Err: string;
  Successful: boolean;
}

export interface NodeInfo {
  node: NodeView;
  status: { Checks: Array<{ Time: string; Checks: NodeCheck[] }>; LastSuccess: string; LastUpdate: string };
  units: Unit[];
  agent: { Container: string; LastReport: string; Units: number; Checks: NodeCheck[] } | null;
  /** Wharf: what the node's units reserve (their plans' memory and CPU shares). */
  reserved?: { memory: number; cpushare: number; units: number };
}

export interface Pool {
  name: string;
  public: boolean;
  default: boolean;
  provisioner: string;
  teams: string[];
  allowed: Record<string, string[]>;
}

export interface Platform {
  Name: string;
  Disabled: boolean;
}

export interface Team {
  name: string;
  tags: string[];
}

export interface MetricSeries {
  name: string;
  process: string;
  unit: string;
  points: Array<[number, number]>;
}

export interface Metrics {
  step: number;
  series: MetricSeries[];
}
