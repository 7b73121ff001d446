// OpenAPI response schemas of the reads the dashboard draws from: the app list with its
// units, node info with what its units reserve, and the routers with the ports of the
// router this server runs. Documentation only: these routes send JSON they encoded
// themselves (util.json/list), which fastify does not pass through a serializer.

const str = (description?: string) => ({ type: "string", ...(description ? { description } : {}) });
const int = (description?: string) => ({ type: "integer", ...(description ? { description } : {}) });
const open = (description: string) => ({ type: "object", additionalProperties: true, description });
const address = {
  type: "object",
  properties: { Scheme: str(), Host: str("host:port") },
};

/** A unit as app info, app list and node info give it (tsuru's fields, then Wharf's). */
export const UNIT_SCHEMA = {
  type: "object",
  properties: {
    ID: str("the container id (the unit's name until it has one)"),
    Name: str("the unit id: app-process-hex"),
    AppName: str(),
    ProcessName: str(),
    Type: str("the app's platform"),
    IP: str("the node's address the unit is reached at"),
    Status: str("created, starting, started, error, stopped, ..."),
    Address: { ...address, nullable: true },
    Addresses: { type: "array", items: address, nullable: true },
    Version: int("the app version the unit runs"),
    Routable: { type: "boolean", description: "whether the router sends it traffic" },
    Node: str("Wharf: the engine address of the node the unit runs on"),
    Restarts: int(
      "Wharf: replacements of this unit's slot by the healer (crashes, OOM kills, lost containers)",
    ),
    LastExitReason: str("Wharf: why the slot's last container stopped; empty when it never did"),
    LastExitCode: { type: "integer", nullable: true, description: "Wharf: that container's exit code" },
    LastExitAt: str("Wharf: when it stopped (RFC 3339); empty when it never did"),
  },
};

/** GET /apps: tsuru's app-list items, each with its units (empty with simplified=true). */
export const APP_LIST_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    properties: {
      name: str(),
      pool: str(),
      teamowner: str(),
      plan: open("the app's plan: name, memory, swap, cpushare"),
      units: {
        type: "array",
        items: UNIT_SCHEMA,
        description: "the app's units (Wharf fills them as tsuru does)",
      },
      cname: { type: "array", items: str() },
      ip: str("the app's address through its default router"),
      routers: { type: "array", items: open("a router of the app: name, opts, address, type") },
      lock: open("tsuru's lock view: Locked, Reason, Owner, AcquireDate"),
      tags: { type: "array", items: str() },
    },
  },
};

/** GET /node/{address}: tsuru's node info, with Wharf's reservations and agent report. */
export const NODE_INFO_SCHEMA = {
  type: "object",
  properties: {
    node: open("the node as node list gives it (Address, Pool, Status, Disabled, Metadata, Health, ...)"),
    status: open("tsuru's node status: Address, Checks, LastSuccess, LastUpdate"),
    units: { type: "array", items: UNIT_SCHEMA },
    reserved: {
      type: "object",
      description: "Wharf: what the node's units reserve by their apps' plans (stopped units keep theirs)",
      properties: {
        units: int("units on the node"),
        memory: int("bytes of memory their plans reserve"),
        cpushare: int("CPU shares their plans reserve"),
      },
    },
    agent: {
      type: "object",
      nullable: true,
      description: "Wharf: the node agent's last report; null when no agent reported",
      properties: {
        Container: str("the agent's container"),
        LastReport: str("when it last reported (RFC 3339)"),
        Units: int("units it saw"),
        Checks: { type: "array", items: open("a check: Name, Err, Successful") },
      },
    },
  },
};

/** GET /routers: the routers, the default one with the ports of the router this server runs. */
export const ROUTERS_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    properties: {
      name: str(),
      type: str(),
      default: { type: "boolean" },
      info: {
        type: "object",
        additionalProperties: { type: "string" },
        properties: {
          Domain: str("apps are reached at APP.DOMAIN"),
          "HTTP port": str(
            "Wharf: the port the router this server runs listens on for HTTP, once it listens",
          ),
          "HTTPS port": str("Wharf: its HTTPS port, when it serves HTTPS"),
        },
      },
    },
  },
};
