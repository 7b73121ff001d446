// Services, OSB brokers, service instances and their app bindings. Passwords arrive sealed;
// this layer never sees a plaintext secret.
import { ConflictError, NotFoundError } from "../errors.js";
import type {
  ServiceBindingRecord,
  ServiceBrokerRecord,
  ServiceInstanceRecord,
  ServiceInstanceState,
  ServiceRecord,
  StoreOps,
} from "../types.js";
import { type Db, type Param, type Row, Where, fromJson, fromMs, str, toJson } from "./db.js";

type ServiceOps = Pick<
  StoreOps,
  | "createService"
  | "findService"
  | "listServices"
  | "updateService"
  | "deleteService"
  | "createServiceBroker"
  | "findServiceBroker"
  | "listServiceBrokers"
  | "updateServiceBroker"
  | "deleteServiceBroker"
  | "createServiceInstance"
  | "findServiceInstance"
  | "listServiceInstances"
  | "updateServiceInstance"
  | "deleteServiceInstance"
  | "createServiceBinding"
  | "listServiceBindings"
  | "deleteServiceBinding"
>;

const serviceRow = (r: Row): ServiceRecord => ({
  name: str(r.name),
  endpoint: str(r.endpoint),
  username: str(r.username),
  passwordSealed: str(r.password_sealed),
  teamOwner: str(r.team_owner),
  teams: fromJson<string[]>(r.teams, []),
  doc: str(r.doc),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

const brokerRow = (r: Row): ServiceBrokerRecord => ({
  name: str(r.name),
  url: str(r.url),
  authSealed: str(r.auth_sealed),
  config: fromJson<Record<string, unknown>>(r.config, {}),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

const instanceRow = (r: Row): ServiceInstanceRecord => ({
  service: str(r.service),
  name: str(r.name),
  uuid: str(r.uuid),
  plan: str(r.plan),
  teamOwner: str(r.team_owner),
  teams: fromJson<string[]>(r.teams, []),
  description: str(r.description),
  tags: fromJson<string[]>(r.tags, []),
  parameters: fromJson<Record<string, string>>(r.parameters, {}),
  state: str(r.state) as ServiceInstanceState,
  operation: str(r.operation),
  message: str(r.message),
  createdAt: fromMs(r.created_at),
  updatedAt: fromMs(r.updated_at),
});

const bindingRow = (r: Row): ServiceBindingRecord => ({
  service: str(r.service),
  instance: str(r.instance),
  app: str(r.app),
  bindingId: str(r.binding_id),
  envNames: fromJson<string[]>(r.env_names, []),
  createdAt: fromMs(r.created_at),
});

/** "a = ?, b = ?" from the defined entries of a column → value map. */
function sets(cols: Record<string, Param>): { sql: string; params: Param[] } {
  const defined = Object.entries(cols).filter(([, v]) => v !== undefined);
  return { sql: defined.map(([c]) => `${c} = ?`).join(", "), params: defined.map(([, v]) => v) };
}

const json = (v: unknown): string | undefined => (v === undefined ? undefined : toJson(v));

export function serviceOps(db: Db): ServiceOps {
  const findService = async (name: string) => {
    const r = await db.get("SELECT * FROM services WHERE name = ?", [name]);
    return r ? serviceRow(r) : null;
  };
  const findServiceBroker = async (name: string) => {
    const r = await db.get("SELECT * FROM service_brokers WHERE name = ?", [name]);
    return r ? brokerRow(r) : null;
  };
  const findServiceInstance = async (service: string, name: string) => {
    const r = await db.get("SELECT * FROM service_instances WHERE service = ? AND name = ?", [service, name]);
    return r ? instanceRow(r) : null;
  };
  return {
    findService,
    async createService(s) {
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO services (name, endpoint, username, password_sealed, team_owner, teams, doc, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [s.name, s.endpoint, s.username, s.passwordSealed, s.teamOwner, toJson(s.teams), s.doc, now, now],
      );
      if (n === 0) throw new ConflictError(`service ${s.name} already exists`, "service", s.name);
      return (await findService(s.name))!;
    },
    async listServices() {
      return (await db.all("SELECT * FROM services ORDER BY name")).map(serviceRow);
    },
    async updateService(name, patch) {
      const s = sets({
        endpoint: patch.endpoint,
        username: patch.username,
        password_sealed: patch.passwordSealed,
        team_owner: patch.teamOwner,
        teams: json(patch.teams),
        doc: patch.doc,
        updated_at: Date.now(),
      });
      const n = await db.run(`UPDATE services SET ${s.sql} WHERE name = ?`, [...s.params, name]);
      if (n === 0) throw new NotFoundError("service", name);
      return (await findService(name))!;
    },
    async deleteService(name) {
      if ((await db.run("DELETE FROM services WHERE name = ?", [name])) === 0)
        throw new NotFoundError("service", name);
    },

    findServiceBroker,
    async createServiceBroker(b) {
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO service_brokers (name, url, auth_sealed, config, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [b.name, b.url, b.authSealed, toJson(b.config), now, now],
      );
      if (n === 0) throw new ConflictError(`broker ${b.name} already exists`, "broker", b.name);
      return (await findServiceBroker(b.name))!;
    },
    async listServiceBrokers() {
      return (await db.all("SELECT * FROM service_brokers ORDER BY name")).map(brokerRow);
    },
    async updateServiceBroker(name, patch) {
      const s = sets({
        url: patch.url,
        auth_sealed: patch.authSealed,
        config: json(patch.config),
        updated_at: Date.now(),
      });
      const n = await db.run(`UPDATE service_brokers SET ${s.sql} WHERE name = ?`, [...s.params, name]);
      if (n === 0) throw new NotFoundError("broker", name);
      return (await findServiceBroker(name))!;
    },
    async deleteServiceBroker(name) {
      if ((await db.run("DELETE FROM service_brokers WHERE name = ?", [name])) === 0)
        throw new NotFoundError("broker", name);
    },

    findServiceInstance,
    async createServiceInstance(i) {
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO service_instances (service, name, uuid, plan, team_owner, teams, description, tags, parameters,
                                        state, operation, message, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [
          i.service,
          i.name,
          i.uuid,
          i.plan,
          i.teamOwner,
          toJson(i.teams),
          i.description,
          toJson(i.tags),
          toJson(i.parameters),
          i.state,
          i.operation,
          i.message,
          now,
          now,
        ],
      );
      if (n === 0)
        throw new ConflictError(
          `service instance ${i.service}/${i.name} already exists`,
          "service instance",
          `${i.service}/${i.name}`,
        );
      return (await findServiceInstance(i.service, i.name))!;
    },
    async listServiceInstances(filter = {}) {
      const w = new Where();
      if (filter.service !== undefined) w.add("service = ?", filter.service);
      let rows = (await db.all(`SELECT * FROM service_instances ${w} ORDER BY service, name`, w.params)).map(
        instanceRow,
      );
      // Team lists are JSON; filtering here keeps the SQL identical on both backends.
      if (filter.teams) {
        const want = new Set(filter.teams);
        rows = rows.filter((r) => r.teams.some((t) => want.has(t)));
      }
      return rows;
    },
    async updateServiceInstance(service, name, patch) {
      const s = sets({
        plan: patch.plan,
        team_owner: patch.teamOwner,
        teams: json(patch.teams),
        description: patch.description,
        tags: json(patch.tags),
        parameters: json(patch.parameters),
        state: patch.state,
        operation: patch.operation,
        message: patch.message,
        updated_at: Date.now(),
      });
      const n = await db.run(`UPDATE service_instances SET ${s.sql} WHERE service = ? AND name = ?`, [
        ...s.params,
        service,
        name,
      ]);
      if (n === 0) throw new NotFoundError("service instance", `${service}/${name}`);
      return (await findServiceInstance(service, name))!;
    },
    async deleteServiceInstance(service, name) {
      const n = await db.run("DELETE FROM service_instances WHERE service = ? AND name = ?", [service, name]);
      if (n === 0) throw new NotFoundError("service instance", `${service}/${name}`);
    },

    async createServiceBinding(b) {
      const now = Date.now();
      const n = await db.run(
        `INSERT INTO service_bindings (service, instance, app, binding_id, env_names, created_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [b.service, b.instance, b.app, b.bindingId, toJson(b.envNames), now],
      );
      if (n === 0)
        throw new ConflictError(
          `app ${b.app} is already bound to ${b.service}/${b.instance}`,
          "service binding",
          `${b.service}/${b.instance}/${b.app}`,
        );
      return { ...b, envNames: [...b.envNames], createdAt: new Date(now) };
    },
    async listServiceBindings(filter = {}) {
      const w = new Where();
      if (filter.service !== undefined) w.add("service = ?", filter.service);
      if (filter.instance !== undefined) w.add("instance = ?", filter.instance);
      if (filter.app !== undefined) w.add("app = ?", filter.app);
      const rows = await db.all(
        `SELECT * FROM service_bindings ${w} ORDER BY service, instance, app`,
        w.params,
      );
      return rows.map(bindingRow);
    },
    async deleteServiceBinding(service, instance, app) {
      const n = await db.run("DELETE FROM service_bindings WHERE service = ? AND instance = ? AND app = ?", [
        service,
        instance,
        app,
      ]);
      if (n === 0) throw new NotFoundError("service binding", `${service}/${instance}/${app}`);
    },
  };
}
