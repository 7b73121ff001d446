// `wharf dev ...`: local development helpers (the multi-node cluster on one machine).
import type { Command } from "commander";

export function registerDev(program: Command): void {
  const dev = program.command("dev").description("local development tools (run as root on a Wharf host)");
  dev.command("cluster").description("a multi-node Docker cluster in network namespaces on this machine");
}
