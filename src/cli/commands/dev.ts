// `wharf dev ...`: local development tools (the multi-node cluster on one machine).
import type { Command } from "commander";
import { CliError } from "../errors.js";

function parseCount(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1)
    throw new CliError(`--nodes takes a whole number of at least 1, got "${value}"`, 2);
  return n;
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
    .description("create or complete the cluster (idempotent); extra nodes beyond --nodes are removed")
    .option("-n, --nodes <count>", "number of nodes", "3")
    .option("--json", "print the cluster description as JSON")
    .action(async (opts: { nodes: string; json?: boolean }) => {
      const { up } = await import("../../cluster/dev/cluster.js");
      const info = await up(parseCount(opts.nodes));
      if (opts.json) {
        console.log(JSON.stringify(info, null, 2));
        return;
      }
      console.log(`registry   https://${info.registry} (CA ${info.tls.ca})`);
      for (const n of info.nodes) {
        console.log(`node ${n.name.padEnd(5)} tcp://${n.dockerHost}:${n.dockerPort} (mutual TLS)`);
      }
      console.log(`client certificate ${info.tls.clientCert}`);
    });

  cluster
    .command("down")
    .description("remove every namespace, link, daemon, mount and directory the tool created")
    .action(async () => {
      const { down } = await import("../../cluster/dev/cluster.js");
      await down();
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
