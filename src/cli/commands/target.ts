// `wharf target add|list|set|remove`: local only, like tsuru's target-* (no HTTP).
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { saveTrustedCa } from "../client/trust.js";
import { normalizeTarget } from "../client/http.js";
import {
  activateTargetToken,
  clearCurrentTarget,
  currentTargetUrl,
  readTargets,
  setCurrentTarget,
  writeTargets,
} from "../config.js";
import { CliError } from "../errors.js";
import { emit, print } from "../output.js";
import { jsonOption } from "../options.js";

export function registerTarget(program: Command): void {
  const target = program.command("target").description("manage the Wharf servers this CLI talks to");

  target
    .command("add <label> <url>")
    .description("remember a Wharf server under a label")
    .option("-s, --set", "also make it the current target")
    .option("--cacert <file>", "trust this CA bundle (PEM) for the server's certificate (Wharf's CA)")
    .action(async (label: string, url: string, opts: { set?: boolean; cacert?: string }) => {
      const targets = readTargets();
      if (targets.has(label)) {
        throw new CliError(
          `target "${label}" already exists: remove it first with \`wharf target remove ${label}\``,
        );
      }
      const normalized = normalizeTarget(url);
      if (opts.cacert) {
        let pem: string;
        try {
          pem = readFileSync(opts.cacert, "utf8");
        } catch {
          throw new CliError(`cannot read the CA file ${opts.cacert}`);
        }
        try {
          await saveTrustedCa(normalized, pem);
        } catch (err) {
          throw new CliError(
            `${opts.cacert}: ${(err as Error).message}; give the PEM CA bundle of the server`,
          );
        }
      }
      targets.set(label, normalized);
      writeTargets(targets);
      if (opts.set) {
        setCurrentTarget(normalized);
        activateTargetToken(label);
      }
      print(
        `New target ${label} -> ${normalized} added to target list${opts.set ? " and defined as the current target" : ""}`,
      );
    });

  jsonOption(target.command("list").description("list the known targets; * marks the current one")).action(
    (opts: { json?: boolean }) => {
      const current = currentTargetUrl();
      const rows = [...readTargets()].map(([label, url]) => ({ label, url, current: url === current }));
      emit(opts, rows, () =>
        rows.length === 0
          ? "No targets: add one with `wharf target add NAME URL --set`."
          : rows.map((r) => `${r.current ? "*" : " "} ${r.label} (${r.url})`).join("\n"),
      );
    },
  );

  target
    .command("set <label>")
    .description("make a known target the current one")
    .action((label: string) => {
      const url = readTargets().get(label);
      if (!url) throw new CliError(`target "${label}" not found: see \`wharf target list\``);
      setCurrentTarget(url);
      activateTargetToken(label);
      print(`New target is ${label} -> ${url}`);
    });

  target
    .command("remove <label>")
    .description("forget a target")
    .action((label: string) => {
      const targets = readTargets();
      const url = targets.get(label);
      if (!url) throw new CliError(`target "${label}" not found: see \`wharf target list\``);
      targets.delete(label);
      writeTargets(targets);
      if (currentTargetUrl() === url) clearCurrentTarget();
      print(`Target ${label} removed.`);
    });
}
