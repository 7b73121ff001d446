// The log collector's view of a node's engine through Wharf's dockerode client, for the
// server collecting logs itself from nodes without an agent. Follow streams go through the
// client without idle timeout (they are quiet while the app is) and end with the signal.
import type Docker from "dockerode";
import { longLived } from "../provision/docker/streaming.js";
import type { LogSource } from "../agent/collector.js";
import { readStartEvents } from "../agent/start-events.js";

const MANAGED = "wharf.managed=true";

function closeOn(signal: AbortSignal, stream: NodeJS.ReadableStream): void {
  const destroy = () => (stream as unknown as { destroy?: () => void }).destroy?.();
  if (signal.aborted) destroy();
  else signal.addEventListener("abort", destroy, { once: true });
}

export function dockerLogSource(engine: Docker): LogSource {
  const quietOk = longLived(engine);
  return {
    async listUnits() {
      const list = await engine.listContainers({ all: true, filters: JSON.stringify({ label: [MANAGED] }) });
      return list.map((c) => ({ id: c.Id, unit: c.Labels["wharf.unit"] ?? "", state: c.State }));
    },
    async watchStarts(onStart, signal) {
      const stream = (await quietOk.getEvents({
        filters: JSON.stringify({ type: ["container"], event: ["start"], label: [MANAGED] }),
      })) as NodeJS.ReadableStream;
      closeOn(signal, stream);
      await readStartEvents(stream as AsyncIterable<Buffer>, onStart);
    },
    async tty(id) {
      return Boolean((await engine.getContainer(id).inspect()).Config.Tty);
    },
    async follow(id, since, signal) {
      const stream = (await quietOk.getContainer(id).logs({
        follow: true,
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(since ? { since: since as unknown as number } : {}),
      })) as unknown as NodeJS.ReadableStream;
      closeOn(signal, stream);
      return stream as AsyncIterable<Buffer>;
    },
  };
}
