// `wharf dev ...`: local development tools (the multi-node cluster on one machine).
// `up` and `down` never silently remove a node a Wharf store on this machine still uses.
import type { Command } from "commander";
import type { DevClusterLayout } from "../../cluster/dev/layout.js";
import { CliError } from "../errors.js";
import { confirm } from "../prompt.js";

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1)
    throw new CliError(`--nodes takes a whole number of at least 1, got "${value}"`, 2);
  return n;
}

/**
 * Sentences naming which of these nodes a Wharf store on this machine still has registered
 * (with their pool and units); a store that cannot be read is one too, since it may.
 */
async function registeredAmong(l: DevClusterLayout, indexes: number[]): Promise<string[]> {
  const { registeredNodes, describeRegistered } = await import("../../cluster/dev/registered.js");
  try {
    return (await registeredNodes(l, indexes)).map(describeRegistered);
  } catch (err) {
    return [`${(err as Error).message}, so whether it uses these nodes is unknown`];
  }
}

async function refuseShrinkingRegistered(l: DevClusterLayout, count: number): Promise<void> {
  const { existingNodes } = await import("../../cluster/dev/cluster.js");
  const inUse = await registeredAmong(
    l,
    (await existingNodes(l)).filter((i) => i > count),
  );
  if (inUse.length === 0) return;
  throw new CliError(
    `not shrinking the dev cluster to ${count === 1 ? "1 node" : `${count} nodes`}: ${inUse.join("; ")}. ` +
      "Remove them from Wharf first (`wharf node remove ADDRESS`), or add --force to remove them anyway.",
  );
}

export function registerDev(program: Command): void {
  const dev = program.command("dev").description("local development tools (run as root on a Wharf host)");
  const cluster = dev
    .command("cluster")
    .description(
      "a multi-node Docker cluster on this machine: one dockerd per network namespace, a registry",
    );

  cluster
    .command("up")
    .description("create or complete the cluster (idempotent); removes no node unless --shrink")
    .option("-n, --nodes <count>", "number of nodes (nodes beyond it are kept unless --shrink)", "3")
    .option("--shrink", "remove the nodes beyond --nodes, unless a Wharf store here has them registered")
    .option("--force", "with --shrink: remove them even when a Wharf store has them registered")
    .option("--json", "print the cluster description, what changed and the nodes kept beyond --nodes as JSON")
    .action(async (opts: { nodes: string; shrink?: boolean; force?: boolean; json?: boolean }) => {
      const count = parseCount(opts.nodes);
      if (opts.force && !opts.shrink) throw new CliError("--force only goes with --shrink", 2);
      const { up } = await import("../../cluster/dev/cluster.js");
      const { defaultLayout } = await import("../../cluster/dev/layout.js");
      const l = defaultLayout();
      if (opts.shrink && !opts.force) await refuseShrinkingRegistered(l, count);
      const info = await up(count, l, { shrink: opts.shrink });
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      console.log(`registry   https://${info.registry} (CA ${info.tls.ca})`);
      for (const n of info.nodes) {
        console.log(`node ${n.name.padEnd(5)} tcp://${n.dockerHost}:${n.dockerPort} (mutual TLS)`);
      }
      console.log(`client certificate ${info.tls.clientCert}`);
      console.log(info.changed.length ? info.changed.join(", ") : "already up: nothing changed");
      // With --json the same news is in `beyond`, for scripts to word their own way.
      if (info.beyond.length)
        console.error(
          `kept ${info.beyond.join(", ")}, beyond --nodes ${count}: ` +
            `\`wharf dev cluster up --nodes ${count} --shrink\` removes them`,
        );
    });

  cluster
    .command("down")
    .description("remove every namespace, link, daemon, mount and directory the tool created")
    .option("-y, --yes", "do not ask, even when a Wharf store here has the cluster's nodes registered")
    .action(async (opts: { yes?: boolean }) => {
      const { down, existingNodes } = await import("../../cluster/dev/cluster.js");
      const { defaultLayout } = await import("../../cluster/dev/layout.js");
      const l = defaultLayout();
      const inUse = opts.yes ? [] : await registeredAmong(l, await existingNodes(l));
      if (inUse.length) {
        for (const line of inUse) console.error(line);
        console.error("down deletes these nodes' dockerds with their containers, images, volumes and data.");
        await confirm("Remove the dev cluster anyway?", false, "--yes");
      }
      await down(l);
      console.log("dev cluster removed");
    });

  cluster
    .command("status")
    .description("show the registry and each node's dockerd")
    .option("--json", "print as JSON")
    .action(async (opts: { json?: boolean }) => {
      const { status } = await import("../../cluster/dev/cluster.js");
      const s = await status();
      if (opts.json) {
        console.log(JSON.stringify(s, null, 2));
        return;
      }
      console.log(`registry   ${s.registry.address} ${s.registry.running ? "running" : "down"}`);
      if (s.nodes.length === 0) console.log("no nodes (run `wharf dev cluster up`)");
      for (const n of s.nodes)
        console.log(`node ${n.name.padEnd(5)} ${n.address.padEnd(15)} dockerd ${n.dockerd}`);
    });
}
