// Wharf's built-in services for a server with a cluster: the providers the domain resolves
// `postgresql` and `redis` to, and the reconcile loop that resumes, heals and cleans up
// their instances. WHARF_BUILTIN_SERVICES chooses which are offered ("none" for none).
import type { BuiltinServicesPort } from "../../domain/services/service-builtin-port.js";
import { sealSecret, unsealSecret } from "../../domain/services/sealing.js";
import type { DeployCtx } from "../../deploy/context.js";
import { BUILTIN_KINDS, BUILTIN_SERVICES, isBuiltinKind, type BuiltinKind } from "./catalog.js";
import { BuiltinBroker } from "./broker.js";
import { portRangeFromEnv } from "./placement.js";
import { reconcileBuiltin, type BuiltinReconcileReport } from "./reconcile.js";
import { BuiltinRuntime, type BuiltinDeps, type BuiltinSettings } from "./runtime.js";

export type { BuiltinReconcileReport };
export { BuiltinRuntime };

function positiveMs(v: string | undefined, dflt: number, name: string): number {
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid ${name} "${v}": use whole milliseconds`);
  return n;
}

/** Which built-in services to offer: WHARF_BUILTIN_SERVICES=postgresql,redis (default all, "none"). */
export function builtinKindsFromEnv(env: NodeJS.ProcessEnv = process.env): BuiltinKind[] {
  const raw = env.WHARF_BUILTIN_SERVICES?.trim();
  if (raw === undefined || raw === "") return [...BUILTIN_KINDS];
  if (raw === "none") return [];
  const out: BuiltinKind[] = [];
  for (const k of raw.split(",").map((s) => s.trim())) {
    if (!isBuiltinKind(k))
      throw new Error(`invalid WHARF_BUILTIN_SERVICES entry "${k}": use ${BUILTIN_KINDS.join(", ")} or none`);
    out.push(k);
  }
  return out;
}

export function builtinSettingsFromEnv(
  image: BuiltinSettings["image"],
  env: NodeJS.ProcessEnv = process.env,
): BuiltinSettings {
  return {
    image,
    ports: portRangeFromEnv(env),
    readyTimeoutMs: positiveMs(env.WHARF_SERVICE_READY_TIMEOUT_MS, 180_000, "WHARF_SERVICE_READY_TIMEOUT_MS"),
    reconcileMs: positiveMs(env.WHARF_SERVICE_RECONCILE_MS, 30_000, "WHARF_SERVICE_RECONCILE_MS"),
  };
}

export class BuiltinServices implements BuiltinServicesPort {
  readonly runtime: BuiltinRuntime;
  private readonly brokers: Map<string, BuiltinBroker>;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> = Promise.resolve();

  constructor(deps: BuiltinDeps, kinds: readonly BuiltinKind[]) {
    this.runtime = new BuiltinRuntime(deps);
    this.brokers = new Map(kinds.map((k) => [k, new BuiltinBroker(this.runtime, k)]));
  }

  names(): string[] {
    return [...this.brokers.keys()];
  }

  broker(name: string): BuiltinBroker | null {
    return this.brokers.get(name) ?? null;
  }

  doc(name: string): string {
    return isBuiltinKind(name) && this.brokers.has(name) ? BUILTIN_SERVICES[name].doc : "";
  }

  /** One reconcile pass (full = also sweep orphan containers); passes never overlap. */
  reconcile(full = false): Promise<BuiltinReconcileReport> {
    const next = this.pass.then(() => reconcileBuiltin(this.runtime, full));
    this.pass = next.catch(() => undefined);
    return next;
  }

  /** The start-up pass, then one every reconcileMs. */
  start(): Promise<BuiltinReconcileReport> {
    const first = this.reconcile(true);
    const every = this.runtime.deps.settings.reconcileMs;
    if (every > 0) {
      this.timer = setInterval(() => {
        this.reconcile(false).then(
          (r) => {
            for (const e of r.errors) this.runtime.deps.log.warn({ error: e }, "service reconcile");
          },
          (e: unknown) => this.runtime.deps.log.warn({ err: e }, "service reconcile"),
        );
      }, every);
      this.timer.unref();
    }
    return first;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pass;
    await this.runtime.stopAll();
  }
}

/** The built-in services of a server with a cluster; null when WHARF_BUILTIN_SERVICES=none. */
export function builtinServicesFor(dc: DeployCtx): BuiltinServices | null {
  const kinds = builtinKindsFromEnv();
  if (kinds.length === 0) return null;
  const s = dc.settings;
  return new BuiltinServices(
    {
      store: dc.ctx.store,
      engines: dc.engines,
      settings: builtinSettingsFromEnv({
        registry: s.registry,
        baseImage: s.baseImage,
        caBundle: s.caBundle,
        buildMemory: s.buildMemory,
      }),
      seal: (plaintext) => sealSecret(dc.ctx, plaintext),
      unseal: (sealed) => unsealSecret(dc.ctx, sealed),
      instanceId: dc.ctx.settings.instanceId,
      log: dc.log,
    },
    kinds,
  );
}
