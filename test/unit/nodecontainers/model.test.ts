// Node container rules: tsuru-client's lowercased form (unset fields ignored, unsupported
// ones refused), pool entries merged over the default, which entries run, and the create
// body (socket bind, Wharf's env, labels, a hash that ignores the agent's token).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  AGENT_NAME,
  NC_LABELS,
  createBody,
  defaultAgentSpec,
  effectiveSpec,
  mergeSpec,
  runs,
  specFromForm,
} from "../../../src/nodecontainers/model.js";
import type { NodeContainerSpec } from "../../../src/store/types.js";

test("tsuru-client's form: set fields kept, its empty defaults ignored", () => {
  const spec = specFromForm(
    "bs",
    {
      image: "tsuru/bs:v2",
      "env.0": "A=1",
      "env.1": "B=two words",
      user: "",
      attachstdin: "false",
      hostname: "",
      "labels.team": "infra",
    },
    {
      "binds.0": "/proc:/prochost:ro",
      privileged: "true",
      networkmode: "host",
      "restartpolicy.name": "always",
      oomkilldisable: "false",
      "logconfig.type": "syslog",
      "logconfig.config.tag": "bs",
    },
  );
  assert.deepEqual(spec, {
    Name: "bs",
    PinnedImage: "",
    Disabled: null,
    Config: { Image: "tsuru/bs:v2", Env: ["A=1", "B=two words"], Labels: { team: "infra" } },
    HostConfig: {
      Binds: ["/proc:/prochost:ro"],
      Privileged: true,
      NetworkMode: "host",
      RestartPolicy: { Name: "always" },
      LogConfig: { Type: "syslog", Config: { tag: "bs" } },
    },
  });
});

test("fields Wharf does not run, bad values and Wharf's own env are refused with a sentence", () => {
  assert.throws(() => specFromForm("x", { hostname: "box" }, {}), /config.hostname is not supported/);
  assert.throws(() => specFromForm("x", {}, { devices: "/dev/sda" }), /hostconfig.devices is not supported/);
  assert.throws(() => specFromForm("x", { "env.0": "novalue" }, {}), /NAME=value/);
  assert.throws(() => specFromForm("x", { "env.0": "WHARF_AGENT_TOKEN=x" }, {}), /set by Wharf/);
  assert.throws(() => specFromForm("x", {}, { "binds.0": "relative:/x" }), /Bind/);
  assert.throws(() => specFromForm("x", {}, { "restartpolicy.name": "sometimes" }), /Restart policy/);
  assert.throws(() => specFromForm("x", { image: "UPPER/Case" }, {}), /not an image reference/);
  assert.throws(() => specFromForm("bad name", {}, {}), /Invalid node container name/);
});

const spec = (over: Partial<NodeContainerSpec> = {}): NodeContainerSpec => ({
  Name: "bs",
  PinnedImage: "",
  Disabled: null,
  Config: {},
  HostConfig: {},
  ...over,
});

test("a pool's entry is merged over the default; its own image pins on its own", () => {
  const entries = new Map([
    [
      "",
      spec({
        PinnedImage: "r/bs@sha256:aa",
        Config: { Image: "r/bs:v1", Env: ["A=1"] },
        HostConfig: { Privileged: true },
      }),
    ],
    ["p1", spec({ Config: { Env: ["A=2"] } })],
    ["p2", spec({ Config: { Image: "r/bs:v2" }, Disabled: true })],
  ]);
  const p1 = effectiveSpec(entries, "p1")!;
  assert.equal(p1.Config.Image, "r/bs:v1");
  assert.deepEqual(p1.Config.Env, ["A=2"]);
  assert.equal(p1.HostConfig.Privileged, true);
  assert.equal(p1.PinnedImage, "r/bs@sha256:aa");
  const p2 = effectiveSpec(entries, "p2")!;
  assert.equal(p2.PinnedImage, "");
  assert.equal(runs(p2), false);
  assert.equal(runs(effectiveSpec(entries, "other")!), true);
  assert.equal(effectiveSpec(new Map(), "p1"), null);
  assert.equal(runs(spec()), false, "no image: does not run");
  assert.equal(runs(defaultAgentSpec()), true, "Wharf's agent brings its own image");
  assert.equal(mergeSpec(spec({ Disabled: true }), spec({ Disabled: false })).Disabled, false);
});

test("the create body binds the node's socket, adds Wharf's env and labels, and its hash ignores the token", () => {
  const node = {
    address: "https://10.0.0.11:2376",
    pool: "main",
    metadata: { "docker-socket": "/run/n1/docker.sock" },
  };
  const env = { WHARF_API_URL: "http://10.0.0.1:8080", WHARF_NODE: node.address };
  const a = createBody(
    defaultAgentSpec(),
    node,
    "r/wharf/agent@sha256:bb",
    { ...env, WHARF_AGENT_TOKEN: "t1" },
    "fp1",
  );
  const b = createBody(
    defaultAgentSpec(),
    node,
    "r/wharf/agent@sha256:bb",
    { ...env, WHARF_AGENT_TOKEN: "t2" },
    "fp2",
  );
  assert.equal(a.name, `wharf-nc.${AGENT_NAME}`);
  const hostFiles = ["/proc:/host/proc:ro", "/sys/fs/cgroup:/host/sys/fs/cgroup:ro"];
  assert.deepEqual(a.HostConfig.Binds, ["/run/n1/docker.sock:/var/run/docker.sock", ...hostFiles]);
  assert.ok(a.Env.includes("WHARF_AGENT_TOKEN=t1"));
  assert.equal(a.Labels[NC_LABELS.name], AGENT_NAME);
  assert.equal(a.Labels[NC_LABELS.token], "fp1");
  assert.equal(a.Labels[NC_LABELS.hash], b.Labels[NC_LABELS.hash]);
  const other = createBody(defaultAgentSpec(), { ...node, metadata: {} }, "r/wharf/agent@sha256:bb", env, "");
  assert.deepEqual(other.HostConfig.Binds, ["/var/run/docker.sock:/var/run/docker.sock", ...hostFiles]);
  assert.notEqual(other.Labels[NC_LABELS.hash], a.Labels[NC_LABELS.hash]);
  assert.equal(a.HostConfig.RestartPolicy.Name, "always");
  assert.equal(
    a.HostConfig.CgroupnsMode,
    "host",
    "the agent names other containers' cgroups as the host does",
  );
});
