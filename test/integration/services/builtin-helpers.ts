// Setup for the built-in services' integration test: a 2-node test cluster with the service
// images in its registry, an API harness whose Ctx has the built-in services on those nodes,
// and small helpers to reach an instance the way an app would.
import { connect } from "node:net";
import type Docker from "dockerode";
import { pino, type Logger } from "pino";
import { sealSecret, unsealSecret } from "../../../src/domain/services/sealing.js";
import { BuiltinServices, builtinSettingsFromEnv } from "../../../src/services/builtin/index.js";
import type { Ctx } from "../../../src/domain/services/context.js";
import type { DevClusterInfo } from "../../../src/cluster/dev/cluster.js";
import { nodeClient } from "../../support/dev-cluster.js";
import { engineOf } from "../../support/engines.js";
import type { Engine } from "../../../src/cluster/docker/engine.js";

export function engines(info: DevClusterInfo) {
  const byAddress = new Map<string, Docker>();
  info.nodes.forEach((n, i) => byAddress.set(`https://${n.address}:2376`, nodeClient(info, i)));
  return {
    byAddress,
    engineFor(address: string): Engine {
      const e = byAddress.get(address);
      if (!e) throw new Error(`no engine for ${address}`);
      return engineOf(e);
    },
  };
}

/** The built-in services as a server would run them; a second call is a "restarted server". */
export function builtinFor(
  ctx: Ctx,
  info: DevClusterInfo,
  env: NodeJS.ProcessEnv = {},
  log: Logger = pino({ level: "silent" }),
): BuiltinServices {
  return new BuiltinServices(
    {
      store: ctx.store,
      engines: engines(info),
      settings: builtinSettingsFromEnv(
        { registry: info.registry, baseImage: info.baseImage ?? "wharf/base:bookworm" },
        { WHARF_SERVICE_RECONCILE_MS: "0", ...env },
      ),
      seal: (s) => sealSecret(ctx, s),
      unseal: (s) => unsealSecret(ctx, s),
      instanceId: ctx.settings.instanceId,
      log,
    },
    ["postgresql", "redis"],
  );
}

/**
 * One exchange of Redis inline commands over TCP (AUTH, then the rest), as a client at the
 * bound address would: the replies, one per command.
 */
export function redisInline(host: string, port: number, commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let buf = "";
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`redis at ${host}:${port} did not answer: ${JSON.stringify(buf)}`));
    }, 5000);
    s.on("connect", () => s.write(commands.map((c) => `${c}\r\n`).join("")));
    s.on("data", (d) => {
      buf += String(d);
      const lines = buf.split("\r\n").filter((l) => l !== "" && !l.startsWith("$"));
      if (lines.length >= commands.length) {
        clearTimeout(timer);
        s.destroy();
        resolve(lines.slice(0, commands.length));
      }
    });
    s.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** A debug-level logger keeping every line it writes, to look for secrets in. */
export function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: "debug" }, { write: (s: string) => void lines.push(s) }), lines };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
