// Open Service Broker registrations (tsuru's /1.7/brokers). Auth secrets are sealed in the store
// and answered back blanked; only the broker's name, URL and non-secret config are shown.
import { BadRequestError, ConflictError, NotFoundError } from "../errors.js";
import { clip } from "../names.js";
import type { Ctx } from "./context.js";
import { withEvent } from "./events.js";
import { authorize, type Principal } from "./principal.js";
import { osbClient, validateEndpoint, validateServiceName } from "./service-resolve.js";
import { sealSecret } from "./sealing.js";
import { mapped } from "./store-errors.js";

const ev = (ctx: Ctx) => ({ instanceId: ctx.settings.instanceId });

export interface BrokerInput {
  name: string;
  url: string;
  username: string;
  password: string;
  token: string;
  insecure: boolean;
  context: Record<string, string>;
  cacheSeconds: number;
}

export interface BrokerView {
  Name: string;
  URL: string;
  Config: {
    Insecure: boolean;
    Context: Record<string, string>;
    CacheExpirationSeconds: number;
    AuthConfig: { BasicAuthConfig: { username: string; password: string }; BearerConfig: { token: string } };
  };
}

function check(b: BrokerInput): {
  url: string;
  authSealed: (ctx: Ctx) => string;
  config: Record<string, unknown>;
} {
  validateServiceName(b.name, "broker");
  const url = validateEndpoint(b.url, "broker URL");
  if (b.token && (b.username || b.password))
    throw new BadRequestError("Give either a token or a username and password, not both.");
  if (!Number.isInteger(b.cacheSeconds) || b.cacheSeconds < 0 || b.cacheSeconds > 86_400)
    throw new BadRequestError("Invalid cache expiration: give whole seconds between 0 and 86400.");
  const auth = b.token
    ? { token: b.token }
    : b.username
      ? { username: b.username, password: b.password }
      : null;
  return {
    url,
    authSealed: (ctx) => (auth ? sealSecret(ctx, JSON.stringify(auth)) : ""),
    config: { Insecure: b.insecure, Context: b.context, CacheExpirationSeconds: b.cacheSeconds },
  };
}

export async function listBrokers(ctx: Ctx, p: Principal): Promise<BrokerView[]> {
  authorize(p, "service-broker.read");
  return (await ctx.store.listServiceBrokers()).map((b) => ({
    Name: b.name,
    URL: b.url,
    Config: {
      Insecure: b.config.Insecure === true,
      Context: (b.config.Context ?? {}) as Record<string, string>,
      CacheExpirationSeconds: Number(b.config.CacheExpirationSeconds ?? 0),
      // Secrets are never answered back.
      AuthConfig: { BasicAuthConfig: { username: "", password: "" }, BearerConfig: { token: "" } },
    },
  }));
}

export async function addBroker(ctx: Ctx, p: Principal, b: BrokerInput): Promise<void> {
  authorize(p, "service-broker.create");
  const c = check(b);
  await withEvent(
    ctx.store,
    p,
    {
      kind: "service-broker.create",
      target: { type: "service-broker", value: b.name },
      data: { url: c.url },
    },
    ev(ctx),
    async () => {
      await mapped(() =>
        ctx.store.createServiceBroker({
          name: b.name,
          url: c.url,
          authSealed: c.authSealed(ctx),
          config: c.config,
        }),
      ).catch((e: unknown) => {
        throw e instanceof ConflictError ? new ConflictError(`Broker "${clip(b.name)}" already exists.`) : e;
      });
    },
  );
}

export async function updateBroker(ctx: Ctx, p: Principal, name: string, b: BrokerInput): Promise<void> {
  authorize(p, "service-broker.update");
  const c = check({ ...b, name });
  const old = await ctx.store.findServiceBroker(name);
  if (!old) throw new NotFoundError(`Broker "${clip(name)}" not found.`);
  osbClient(ctx, old).forget();
  await withEvent(
    ctx.store,
    p,
    { kind: "service-broker.update", target: { type: "service-broker", value: name }, data: { url: c.url } },
    ev(ctx),
    () =>
      mapped(() =>
        ctx.store.updateServiceBroker(name, { url: c.url, authSealed: c.authSealed(ctx), config: c.config }),
      ),
  );
}

export async function removeBroker(ctx: Ctx, p: Principal, name: string): Promise<void> {
  authorize(p, "service-broker.delete");
  const left = (await ctx.store.listServiceInstances()).filter((i) => i.service.startsWith(`${name}::`));
  if (left.length > 0)
    throw new BadRequestError(
      `Broker "${clip(name)}" still has instances (${left.map((i) => i.name).join(", ")}): remove them first.`,
    );
  await withEvent(
    ctx.store,
    p,
    { kind: "service-broker.delete", target: { type: "service-broker", value: name } },
    ev(ctx),
    () => mapped(() => ctx.store.deleteServiceBroker(name)),
  );
}
