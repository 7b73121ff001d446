// `wharf node add|update|remove|list|info` (reference §4.11): tsuru's grammar, key=value
// metadata arguments (pool=NAME is required on add; address=URL with --register).
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { emit, field, formatTime, print, str, table } from "../output.js";
import { jsonOption, usageError, yesOption } from "../options.js";
import { confirm } from "../prompt.js";

/** key=value arguments as Metadata.key form fields; a bare word is a usage error. */
function metadataFields(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    const eq = a.indexOf("=");
    if (eq <= 0) throw usageError(`"${a}" is not key=value: write metadata as pool=NAME zone=a`);
    out[`Metadata.${a.slice(0, eq)}`] = a.slice(eq + 1);
  }
  return out;
}

function memory(bytes: number | undefined): string {
  return bytes ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : "";
}

/** "  reserving 512 MiB memory, 1000 CPU shares" (Wharf's node info; older servers omit it). */
function reservedText(r: unknown): string {
  const mem = field<number>(r, "memory") ?? 0;
  const cpu = field<number>(r, "cpushare") ?? 0;
  if (!r || (!mem && !cpu)) return "";
  return `  reserving ${Math.round(mem / 2 ** 20)} MiB memory, ${cpu} CPU shares`;
}

function metadataText(node: unknown): string {
  const md = field<Record<string, string>>(node, "Metadata") ?? {};
  return Object.keys(md)
    .filter((k) => !["pool", "LastSuccess", "LastError", "Failures"].includes(k))
    .sort()
    .map((k) => `${k}=${md[k]}`)
    .join("\n");
}

/** The node agent's last report, when the node runs one. */
function agentLines(agent: unknown): string[] {
  if (!agent) return [];
  const checks = (field<unknown[]>(agent, "Checks") ?? []).map(
    (c) => `${str(c, "Name")}: ${field(c, "Successful") === true ? "ok" : str(c, "Err") || "failed"}`,
  );
  return [
    `Agent: ${str(agent, "Container")}, last report ${formatTime(str(agent, "LastReport")) || "never"}`,
    `Agent units: ${str(agent, "Units") || "0"}${checks.length ? `  checks: ${checks.join(", ")}` : ""}`,
  ];
}

export function registerNode(program: Command): void {
  const node = program.command("node").description("manage nodes: the Docker engines units run on");

  node
    .command("add <metadata...>")
    .description(
      "register a running Docker engine: wharf node add pool=NAME address=https://HOST:2376 --register",
    )
    .option("--register", "register an existing engine (Wharf has no IaaS, so this is the only way)")
    .option("--insecure", "accept a plain http:// engine without TLS (not for production)")
    .action(async (args: string[], opts: { register?: boolean; insecure?: boolean }, cmd: Command) => {
      const form = {
        ...metadataFields(args),
        Register: String(!!opts.register),
        Insecure: String(!!opts.insecure),
      };
      await apiFor(cmd).stream("POST", "/node", { form, version: "1.2" });
      print("Node successfully registered.");
    });

  node
    .command("update <address> [metadata...]")
    .description("change a node's metadata (key= removes a key), pool, or enable/disable it")
    .option("--disable", "place no new units on the node and move its units to other nodes")
    .option("--enable", "place units on the node again")
    .action(
      async (
        address: string,
        args: string[],
        opts: { disable?: boolean; enable?: boolean },
        cmd: Command,
      ) => {
        if (opts.disable && opts.enable) throw usageError("--disable and --enable cannot be used together");
        const form = {
          Address: address,
          ...metadataFields(args),
          Disable: String(!!opts.disable),
          Enable: String(!!opts.enable),
        };
        await apiFor(cmd).send("PUT", "/node", { form, version: "1.2" });
        print("Node successfully updated.");
      },
    );

  yesOption(
    node
      .command("remove <address>")
      .description("unregister a node, moving its units to other nodes first")
      .option("--no-rebalance", "do not move the node's units away"),
  ).action(async (address: string, opts: { rebalance: boolean; assumeYes?: boolean }, cmd: Command) => {
    await confirm(`Are you sure you want to remove node "${address}"?`, opts.assumeYes);
    // Asking for the stream: the server then shows the drain as it goes (tsuru's client, which
    // never reads it, gets the outcome as the status instead).
    await apiFor(cmd).stream("DELETE", `/node/${address}?no-rebalance=${String(!opts.rebalance)}`, {
      version: "1.2",
      accept: "application/x-json-stream",
    });
    print("Node successfully removed.");
  });

  jsonOption(node.command("list").description("list nodes with their pool, status and health")).action(
    async (opts: { json?: boolean }, cmd: Command) => {
      const body = await apiFor(cmd).getJson<{ nodes?: unknown[] }>("GET", "/node", { version: "1.2" });
      const nodes = body?.nodes ?? [];
      emit(opts, nodes, () =>
        table(
          ["Address", "Pool", "Status", "Metadata", "Last success", "Last error"],
          nodes.map((n) => {
            const h = field(n, "Health");
            return [
              str(n, "Address"),
              str(n, "Pool"),
              str(n, "Status"),
              metadataText(n),
              formatTime(str(h, "LastSuccess")),
              str(h, "LastError"),
            ];
          }),
        ),
      );
    },
  );

  jsonOption(node.command("info <address>").description("a node's specs, labels, health and units")).action(
    async (address: string, opts: { json?: boolean }, cmd: Command) => {
      const info = await apiFor(cmd).getJson<unknown>("GET", `/node/${address}`, { version: "1.6" });
      emit(opts, info, () => {
        const n = field(info, "node");
        const h = field(n, "Health");
        const labels = field<Record<string, string>>(n, "Labels") ?? {};
        return [
          `Address: ${str(n, "Address")}`,
          `Name: ${str(n, "Name")}`,
          `Pool: ${str(n, "Pool")}`,
          `Status: ${str(n, "Status")}`,
          `CPUs: ${String(field(n, "Cpus") ?? "")}  Memory: ${memory(field<number>(n, "Memory"))}`,
          `Health: ${str(h, "State")} since ${formatTime(str(h, "Since"))}`,
          `Last success: ${formatTime(str(h, "LastSuccess"))}`,
          `Last error: ${str(h, "LastError")}`,
          "",
          table(
            ["Label", "Value"],
            Object.keys(labels)
              .sort()
              .map((k) => [k, labels[k]!]),
          ),
          "",
          `Units: ${(field<unknown[]>(info, "units") ?? []).length}${reservedText(field(info, "reserved"))}`,
          ...agentLines(field(info, "agent")),
        ].join("\n");
      });
    },
  );
}
