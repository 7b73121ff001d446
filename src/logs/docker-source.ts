// The log collector's view of a node's engine, for the server collecting logs itself from
// nodes without an agent. Follow streams have the long idle limit (they are quiet while the
// app is; a stream cut then is followed again at the next listing) and end with the signal.
import type { Engine } from "../cluster/docker/engine.js";
import type { LogSource } from "../agent/collector.js";
import { readStartEvents } from "../agent/start-events.js";

const MANAGED = "wharf.managed=true";

function closeOn(signal: AbortSignal, stream: NodeJS.ReadableStream): void {
  const destroy = () => (stream as unknown as { destroy?: () => void }).destroy?.();
  if (signal.aborted) destroy();
  else signal.addEventListener("abort", destroy, { once: true });
}

export function dockerLogSource(engine: Engine): LogSource {
  return {
    async listUnits() {
      const list = await engine.containers.list({ all: true, labels: [MANAGED] });
      return list.map((c) => ({ id: c.Id, unit: c.Labels["wharf.unit"] ?? "", state: c.State }));
    },
    async watchStarts(onStart, signal) {
      const stream = await engine.events.stream({ type: ["container"], event: ["start"], label: [MANAGED] });
      closeOn(signal, stream);
      await readStartEvents(stream as AsyncIterable<Buffer>, onStart);
    },
    async tty(id) {
      return Boolean((await engine.containers.inspect(id)).Config.Tty);
    },
    async follow(id, since, signal) {
      const stream = await engine.containers.followLogs(id, since ? { since } : {});
      closeOn(signal, stream);
      return stream as AsyncIterable<Buffer>;
    },
  };
}
