// What a shared cluster refuses by default in a create request: anything that reaches the
// node itself (privileged mode, host paths, host namespaces, devices, added capabilities,
// unconfined security profiles, unmasked /proc paths, a cgroup parent of its own). An admin relaxes it per pool
// (`wharf docker policy set`). Pure: returns every refusal, each a sentence.
import type { DockerPoolPolicy } from "../store/types.js";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** "src:dst[:mode]" binds whose source is a host path (named volumes do not start with "/"). */
export function hostBinds(hostConfig: Obj): string[] {
  const out: string[] = [];
  for (const b of list(hostConfig["Binds"])) if (typeof b === "string" && b.startsWith("/")) out.push(b);
  for (const m of list(hostConfig["Mounts"]))
    if (isObj(m) && (m["Type"] === "bind" || m["Type"] === "npipe")) out.push(String(m["Source"] ?? ""));
    // A volume with driver options is the local driver's `o=bind,device=/path`: a host path too.
    else if (isObj(m) && isObj(m["VolumeOptions"]) && isObj(m["VolumeOptions"]["DriverConfig"]))
      out.push(`volume ${String(m["Source"] ?? "")} with driver options`);
  if (typeof hostConfig["VolumeDriver"] === "string" && !["", "local"].includes(hostConfig["VolumeDriver"]))
    out.push(`volume driver ${hostConfig["VolumeDriver"]}`);
  return out;
}

export function policyViolations(body: Obj, p: DockerPoolPolicy): string[] {
  const hc = isObj(body["HostConfig"]) ? body["HostConfig"] : {};
  const out: string[] = [];
  const how = (flag: string) => `an admin can allow it with \`wharf docker policy set ${p.pool} ${flag}\``;
  if (hc["Privileged"] === true && !p.allowPrivileged)
    out.push(`privileged containers are refused on pool ${p.pool} (${how("--allow-privileged")})`);
  const sec = list(hc["SecurityOpt"]).map(String);
  const unconfined = sec.filter((s) => /unconfined|label[:=]disable|no-new-privileges[:=]false/i.test(s));
  if (unconfined.length && !p.allowPrivileged)
    out.push(
      `security options ${unconfined.join(", ")} are refused on pool ${p.pool} (${how("--allow-privileged")})`,
    );
  // Any value replaces Docker's default masked and read-only /proc paths ([] unmasks them all).
  const unmasked = (["MaskedPaths", "ReadonlyPaths"] as const).filter(
    (k) => hc[k] !== undefined && hc[k] !== null,
  );
  if (unmasked.length && !p.allowPrivileged)
    out.push(
      `${unmasked.join(" and ")} of the container's own are refused on pool ${p.pool} (${how("--allow-privileged")})`,
    );
  if (typeof hc["CgroupParent"] === "string" && hc["CgroupParent"] !== "" && !p.allowPrivileged)
    out.push(
      `a cgroup parent of the container's own is refused on pool ${p.pool} (${how("--allow-privileged")})`,
    );
  const binds = hostBinds(hc);
  if (binds.length && !p.allowHostBinds)
    out.push(
      `host bind mounts (${binds.join(", ")}) are refused on pool ${p.pool}: use named volumes (${how("--allow-host-binds")})`,
    );
  const ns = (["NetworkMode", "PidMode", "IpcMode", "UTSMode", "UsernsMode"] as const).filter(
    (k) => hc[k] === "host",
  );
  if (ns.length && !p.allowHostNamespaces)
    out.push(
      `the host's namespaces (${ns.map((k) => `${k}=host`).join(", ")}) are refused on pool ${p.pool} (${how("--allow-host-namespaces")})`,
    );
  const devices = [...list(hc["Devices"]), ...list(hc["DeviceRequests"]), ...list(hc["DeviceCgroupRules"])];
  if (devices.length && !p.allowDevices)
    out.push(`devices are refused on pool ${p.pool} (${how("--allow-devices")})`);
  const caps = list(hc["CapAdd"]).map(String);
  if (caps.length && !p.allowCapAdd)
    out.push(
      `added capabilities (${caps.join(", ")}) are refused on pool ${p.pool} (${how("--allow-cap-add")})`,
    );
  return out;
}
