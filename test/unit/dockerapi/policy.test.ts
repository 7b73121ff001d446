// The endpoint's default refusals and their per-pool relaxations.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hostBinds, policyViolations } from "../../../src/dockerapi/policy.js";
import { defaultDockerPoolPolicy } from "../../../src/store/docker-types.js";

const strict = defaultDockerPoolPolicy("main");

test("a plain container with named volumes passes the default policy", () => {
  assert.deepEqual(
    policyViolations(
      { HostConfig: { Binds: ["data:/data"], Mounts: [{ Type: "volume", Source: "v" }] } },
      strict,
    ),
    [],
  );
});

test("each reach into the node is refused by default, naming the flag that allows it", () => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ Privileged: true }, /privileged containers are refused on pool main .*--allow-privileged/],
    [{ SecurityOpt: ["seccomp=unconfined"] }, /security options seccomp=unconfined/],
    [{ CgroupParent: "/x" }, /cgroup parent/],
    [{ Binds: ["/etc:/host"] }, /host bind mounts \(\/etc:\/host\).*--allow-host-binds/],
    [
      { Mounts: [{ Type: "bind", Source: "/var/run/docker.sock" }] },
      /host bind mounts \(\/var\/run\/docker.sock\)/,
    ],
    [{ NetworkMode: "host" }, /NetworkMode=host.*--allow-host-namespaces/],
    [{ PidMode: "host", IpcMode: "host" }, /PidMode=host, IpcMode=host/],
    [{ UsernsMode: "host" }, /UsernsMode=host/],
    [{ Devices: [{ PathOnHost: "/dev/kvm" }] }, /devices are refused.*--allow-devices/],
    [{ CapAdd: ["NET_ADMIN"] }, /added capabilities \(NET_ADMIN\).*--allow-cap-add/],
    [{ MaskedPaths: [] }, /MaskedPaths of the container's own are refused.*--allow-privileged/],
    [
      {
        Mounts: [
          {
            Type: "volume",
            Source: "v",
            VolumeOptions: { DriverConfig: { Name: "local", Options: { o: "bind", device: "/etc" } } },
          },
        ],
      },
      /host bind mounts \(volume v with driver options\).*--allow-host-binds/,
    ],
    [{ VolumeDriver: "nfs" }, /host bind mounts \(volume driver nfs\)/],
  ];
  for (const [hc, want] of cases) {
    const v = policyViolations({ HostConfig: hc }, strict);
    assert.equal(v.length, 1, JSON.stringify(hc));
    assert.match(v[0]!, want);
  }
});

test("a pool that allows a thing lets exactly that thing through", () => {
  const p = { ...strict, allowPrivileged: true, allowHostBinds: true };
  assert.deepEqual(policyViolations({ HostConfig: { Privileged: true, Binds: ["/srv:/srv"] } }, p), []);
  assert.equal(policyViolations({ HostConfig: { Privileged: true, CapAdd: ["X"] } }, p).length, 1);
});

test("hostBinds tells host paths from named volumes", () => {
  assert.deepEqual(hostBinds({ Binds: ["/a:/b", "vol:/c", "rel/x:/d"] }), ["/a:/b"]);
});
