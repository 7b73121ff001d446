// A node's specs as classic Swarm keeps them (swarm 1.2.9 cluster/engine.go updateSpecs):
// standard labels from the engine's /info, then the engine's own `--label k=v` labels, which
// may neither use the reserved name `node` nor override a standard label.

/** The part of Docker's GET /info that Wharf reads. */
export interface EngineInfo {
  ID: string;
  Name: string;
  NCPU: number;
  MemTotal: number;
  Driver?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
  OSType?: string;
  ServerVersion?: string;
  Labels?: string[] | null;
}

export interface NodeSpecs {
  engineId: string;
  name: string;
  cpus: number;
  memory: number;
  serverVersion: string;
  labels: Record<string, string>;
  /** Labels the engine set that were ignored, each with the reason (shown at node add). */
  warnings: string[];
}

export class InvalidEngineLabelError extends Error {}

export function specsFromInfo(info: EngineInfo): NodeSpecs {
  const labels: Record<string, string> = {};
  const standard: Array<[string, string | undefined]> = [
    ["storagedriver", info.Driver],
    ["kernelversion", info.KernelVersion],
    ["operatingsystem", info.OperatingSystem],
    ["ostype", info.OSType],
  ];
  for (const [k, v] of standard) if (v) labels[k] = v;

  const warnings: string[] = [];
  for (const raw of info.Labels ?? []) {
    const eq = raw.indexOf("=");
    if (eq <= 0) {
      throw new InvalidEngineLabelError(
        `engine label "${raw}" is not of the form key=value; fix the engine's --label flags and add the node again`,
      );
    }
    const key = raw.slice(0, eq);
    const value = raw.slice(eq + 1);
    if (key === "node") {
      warnings.push(`engine label "node" ignored: "node" is reserved for constraints on the node name`);
    } else if (standard.some(([k]) => k === key)) {
      warnings.push(`engine label "${key}" ignored: it would override the standard label of the same name`);
    } else {
      labels[key] = value;
    }
  }
  return {
    engineId: info.ID,
    name: info.Name,
    cpus: info.NCPU,
    memory: info.MemTotal,
    serverVersion: info.ServerVersion ?? "",
    labels,
    warnings,
  };
}
