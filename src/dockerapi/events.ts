// GET /events merged from the caller's nodes (§6.6): the container events of the caller's
// teams only, from the node state cache's streams (no extra connection per subscriber),
// normalised as Swarm did (`from` gains " node:<name>", Actor attributes gain node.*, a
// top-level node object) with names translated back to the team's. Only `until` is
// honoured, as in Swarm; headers go out at once.
import type { Handler } from "./context.js";
import { DockerApiError } from "./http.js";
import { nodeByAddress, nodeName } from "./scope.js";
import { TEAM_LABEL, type EngineEvent } from "./node-state.js";
import { SWARM_LABELS } from "./expressions.js";

export const events: Handler = async (c) => {
  const scope = await c.scope();
  const untilRaw = c.query.get("until");
  const until = untilRaw ? Number(untilRaw) * 1000 : undefined;
  if (untilRaw && !Number.isFinite(until))
    throw new DockerApiError(400, `invalid until "${untilRaw}": give Unix seconds`);
  c.res.writeHead(200, { "Content-Type": "application/json" });
  c.res.flushHeaders();
  if (until !== undefined && until <= Date.now()) return void c.res.end();
  const teams = new Set(scope.caller.teams);
  const names = new Map(scope.containers.map((r) => [r.swarmId, r.name]));
  await new Promise<void>((resolve) => {
    const unsubscribe = c.ctx.states.subscribe((address, e: EngineEvent) => {
      const attrs = e.Actor?.Attributes ?? {};
      if (!teams.has(attrs[TEAM_LABEL] ?? "")) return;
      const node = nodeByAddress(scope, address);
      if (!node) return;
      void (async () => {
        const sid = attrs[SWARM_LABELS.id] ?? "";
        if (sid && !names.has(sid)) {
          const r = await c.ctx.store.findDockerContainer(sid);
          if (r) names.set(sid, r.name);
        }
        const n = {
          Name: nodeName(node),
          Id: node.engineId,
          Addr: node.address.replace(/^https?:\/\//, ""),
          Ip: node.address.replace(/^https?:\/\//, "").replace(/:\d+$/, ""),
        };
        const out = {
          ...e,
          ...(e.from !== undefined ? { from: `${e.from} node:${n.Name}` } : {}),
          Actor: {
            ...e.Actor,
            Attributes: {
              ...attrs,
              ...(names.has(sid) ? { name: names.get(sid) } : {}),
              "node.name": n.Name,
              "node.id": n.Id,
              "node.addr": n.Addr,
              "node.ip": n.Ip,
            },
          },
          node: n,
        };
        c.res.write(JSON.stringify(out) + "\n");
      })();
    });
    const end = () => {
      unsubscribe();
      clearTimeout(timer);
      resolve();
    };
    const timer = until !== undefined ? setTimeout(() => c.res.end(), until - Date.now()) : undefined;
    c.res.on("close", end);
  });
};
