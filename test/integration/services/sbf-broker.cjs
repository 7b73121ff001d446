// A real Open Service Broker: SAP's @sap/sbf framework, configured without XSUAA or audit log,
// listening on 127.0.0.1 on a free port (printed as "PORT <n>"). Provision with parameter
// async=true answers 202 and finishes after ~300 ms (polled through last_operation); bind
// returns fixed credentials with a secret in them.
/* eslint-disable */
const Broker = require("@sap/sbf");
const ops = new Map();
const broker = new Broker({
  brokerCredentials: { [process.env.SBF_USER]: process.env.SBF_PASS },
  autoCredentials: false,
  enableAuditLog: false,
  secureOutgoingConnections: false,
  catalog: {
    services: [
      {
        id: "9b0b5f7a-0000-4000-8000-000000000001",
        name: "kv",
        description: "a key-value store",
        bindable: true,
        plans: [
          { id: "9b0b5f7a-0000-4000-8000-000000000002", name: "small", description: "small kv" },
          { id: "9b0b5f7a-0000-4000-8000-000000000003", name: "large", description: "large kv" },
        ],
      },
    ],
  },
  hooks: {
    onProvision: (p, cb) => {
      if (p.parameters && p.parameters.async === "true") {
        const op = `op-${p.instance_id}`;
        ops.set(op, Date.now());
        return cb(null, { async: true, operation: op });
      }
      cb();
    },
    onLastOperation: (p, cb) =>
      cb(
        null,
        Date.now() - (ops.get(p.operation) ?? 0) > 300
          ? { state: "succeeded" }
          : { state: "in progress", description: "creating" },
      ),
    onBind: (p, cb) =>
      cb(null, {
        credentials: {
          KV_URL: `kv://app:${process.env.SBF_CRED}@127.0.0.1:7000/${p.instance_id}`,
          KV_PORT: 7000,
        },
      }),
    onUnbind: (p, cb) => cb(),
    onDeprovision: (p, cb) => cb(),
    onUpdate: (p, cb) => cb(),
  },
});
const server = broker.app.listen(0, "127.0.0.1", () => console.log(`PORT ${server.address().port}`));
