// `wharf node container add|list|info|update|remove|upgrade` (tsuru's node-container-*,
// reference §4.11): containers Wharf runs on every node of a pool, such as its own agent
// (`wharf node container add wharf-agent`). Docker fields travel as tsuru-client sends
// them: lowercased paths (config.image, config.env.0, hostconfig.binds.0, ...).
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, print, str, table } from "../output.js";
import { collect, jsonOption, usageError, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

interface SpecOptions {
  pool?: string;
  image?: string;
  env: string[];
  volume: string[];
  raw: string[];
  privileged?: boolean;
  network?: string;
  restart?: string;
  enable?: boolean;
  disable?: boolean;
}

function specOptions(cmd: Command): Command {
  return cmd
    .option("-o, --pool <pool>", "the pool's entry (default: the entry for every pool)")
    .option("-i, --image <image>", "the image (Wharf's agent builds its own when left out)")
    .option("-e, --env <NAME=value>", "an environment variable (repeatable)", collect, [])
    .option(
      "-v, --volume <host:container[:ro]>",
      "a host path mounted into the container (repeatable)",
      collect,
      [],
    )
    .option(
      "-r, --raw <path=value>",
      "any docker field by its lowercased path, e.g. config.user=root",
      collect,
      [],
    )
    .option("--privileged", "run privileged")
    .option("--network <mode>", "network mode: bridge, host or none")
    .option("--restart <policy>", "restart policy: always, unless-stopped, on-failure or no")
    .option("--enable", "run it (again) on the pool's nodes")
    .option("--disable", "stop running it on the pool's nodes");
}

/** The form tsuru-client sends: lowercased docker paths plus name, pool and maybe disabled. */
export function nodeContainerForm(name: string, o: SpecOptions): Record<string, string> {
  if (o.enable && o.disable) throw usageError("--enable and --disable cannot be used together");
  const form: Record<string, string> = { name, pool: o.pool ?? "" };
  if (o.image) form["config.image"] = o.image;
  o.env.forEach((e, i) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(e)) throw usageError(`invalid variable "${e}": use NAME=value`);
    form[`config.env.${i}`] = e;
  });
  o.volume.forEach((v, i) => (form[`hostconfig.binds.${i}`] = v));
  if (o.privileged) form["hostconfig.privileged"] = "true";
  if (o.network) form["hostconfig.networkmode"] = o.network;
  if (o.restart) form["hostconfig.restartpolicy.name"] = o.restart;
  for (const r of o.raw) {
    const eq = r.indexOf("=");
    if (eq <= 0) throw usageError(`invalid -r "${r}": use path=value, e.g. config.user=root`);
    form[r.slice(0, eq).toLowerCase()] = r.slice(eq + 1);
  }
  if (o.enable) form.disabled = "false";
  if (o.disable) form.disabled = "true";
  return form;
}

function imageOf(spec: unknown): string {
  return str(spec, "PinnedImage") || str(field(spec, "Config"), "Image") || "";
}

export function renderNodeContainerInfo(name: string, pools: Record<string, unknown>): string {
  const rows = Object.keys(pools)
    .sort()
    .map((pool) => {
      const spec = pools[pool];
      const cfg = field(spec, "Config");
      const host = field(spec, "HostConfig");
      return [
        pool || "<all>",
        imageOf(spec) || (name === "wharf-agent" ? "(built-in)" : ""),
        (field<string[]>(cfg, "Env") ?? []).join("\n"),
        (field<string[]>(host, "Binds") ?? []).join("\n"),
        field(spec, "Disabled") === true ? "disabled" : "",
      ];
    });
  return table(["Pool", "Image", "Env", "Binds", "State"], rows);
}

export function registerNodeContainer(program: Command): void {
  const node = program.commands.find((c) => c.name() === "node");
  if (!node) throw new Error("register the node topic before node container");
  const nc = node
    .command("container")
    .description("containers run on every node of a pool (e.g. wharf-agent)");

  specOptions(nc.command("add <name>").description("add a node container (pool entry with -o)")).action(
    async (name: string, o: SpecOptions, cmd: Command) => {
      await apiFor(cmd).send("POST", "/docker/nodecontainers", { form: nodeContainerForm(name, o) });
      print(
        `Node container "${name}" added: it starts on every node of ${o.pool ? `pool ${o.pool}` : "every pool"} within seconds.`,
      );
    },
  );

  specOptions(
    nc.command("update <name>").description("change a node container's entry (fields left out stay)"),
  ).action(async (name: string, o: SpecOptions, cmd: Command) => {
    await apiFor(cmd).send("POST", `/docker/nodecontainers/${name}`, { form: nodeContainerForm(name, o) });
    print(`Node container "${name}" updated.`);
  });

  jsonOption(nc.command("list").description("node containers and the pools they have entries for")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const list = (await apiFor(cmd).getJson<unknown[]>("GET", "/docker/nodecontainers")) ?? [];
      emit(opts, list, () =>
        table(
          ["Name", "Pool Configs", "Image"],
          list.map((c) => {
            const pools = field<Record<string, unknown>>(c, "ConfigPools") ?? {};
            const keys = Object.keys(pools).sort();
            return [
              str(c, "Name"),
              keys.map((k) => k || "<all>").join("\n"),
              keys.map((k) => imageOf(pools[k]) || "(built-in)").join("\n"),
            ];
          }),
        ),
      );
    },
  );

  jsonOption(nc.command("info <name>").description("a node container's config for each pool")).action(
    async (name: string, opts: { json?: boolean }, cmd: Command) => {
      const pools =
        (await apiFor(cmd).getJson<Record<string, unknown>>("GET", `/docker/nodecontainers/${name}`)) ?? {};
      emit(opts, pools, () => renderNodeContainerInfo(name, pools));
    },
  );

  yesOption(
    nc
      .command("remove <name>")
      .description("remove a node container (its containers leave the nodes)")
      .option("-p, --pool <pool>", "only this pool's entry"),
  ).action(async (name: string, o: { pool?: string; assumeYes?: boolean }, cmd: Command) => {
    await confirm(`Remove node container "${name}"${o.pool ? ` from pool ${o.pool}` : ""}?`, o.assumeYes);
    const q = `?kill=false&pool=${encodeURIComponent(o.pool ?? "")}`;
    await apiFor(cmd).stream("DELETE", `/docker/nodecontainers/${name}${q}`);
  });

  yesOption(
    nc
      .command("upgrade <name>")
      .description("pull the image again and recreate the containers on the nodes")
      .option("-p, --pool <pool>", "only this pool's nodes"),
  ).action(async (name: string, o: { pool?: string; assumeYes?: boolean }, cmd: Command) => {
    await confirm(
      `Upgrade node container "${name}" on ${o.pool ? `pool ${o.pool}` : "all nodes"}?`,
      o.assumeYes,
    );
    await apiFor(cmd).stream("POST", `/docker/nodecontainers/${name}/upgrade`, {
      form: { pool: o.pool ?? "" },
    });
  });
}
