// Units as tsuru's clients read them (app info / app list "units").
import type { UnitRecord } from "../store/types.js";

export interface UnitView {
  ID: string;
  Name: string;
  AppName: string;
  ProcessName: string;
  Type: string;
  IP: string;
  Status: string;
  Address: { Scheme: string; Host: string } | null;
  Addresses: Array<{ Scheme: string; Host: string }> | null;
  Version: number;
  Routable: boolean;
  /** Wharf: the node the unit runs on. */
  Node: string;
  /** Wharf: replacements of this unit's slot by the healer (crashes, OOM kills, lost containers). */
  Restarts: number;
  /** Wharf: why the slot's last container stopped ("" = never), its exit code and when (RFC 3339). */
  LastExitReason: string;
  LastExitCode: number | null;
  LastExitAt: string;
}

export function unitView(u: UnitRecord, platform: string): UnitView {
  const host = u.host && u.port ? `${u.host}:${u.port}` : "";
  const addr = host ? { Scheme: "http", Host: host } : null;
  return {
    ID: u.containerId || u.id,
    Name: u.id,
    AppName: u.app,
    ProcessName: u.process,
    Type: platform,
    IP: u.host,
    Status: u.status === "removing" ? "stopped" : u.status,
    Address: addr,
    Addresses: addr ? [addr] : null,
    Version: u.version,
    Routable: u.routable,
    Node: u.node,
    Restarts: u.restarts,
    LastExitReason: u.lastExitReason,
    LastExitCode: u.lastExitCode,
    LastExitAt: u.lastExitAt ? u.lastExitAt.toISOString() : "",
  };
}
