// Entry point of the wharf-agent image: configuration from the environment Wharf gives
// the node container (WHARF_API_URL, WHARF_AGENT_TOKEN, WHARF_NODE, ...).
import { Agent } from "./agent.js";

function need(name: string): string {
  const v = process.env[name];
  if (!v) {
    process.stderr.write(`wharf-agent: ${name} is not set; Wharf sets it when it starts the agent\n`);
    process.exit(2);
  }
  return v;
}

const interval = Number(process.env.WHARF_AGENT_INTERVAL_MS ?? 2000);
const agent = new Agent({
  apiUrl: need("WHARF_API_URL").replace(/\/$/, ""),
  token: need("WHARF_AGENT_TOKEN"),
  node: process.env.WHARF_NODE ?? "",
  intervalMs: Number.isFinite(interval) && interval >= 200 ? interval : 2000,
  socketPath: process.env.DOCKER_SOCKET ?? "/var/run/docker.sock",
  containerName: process.env.WHARF_NODECONTAINER_NAME ?? "wharf-agent",
  hostRoot: process.env.WHARF_HOST_ROOT ?? "/host",
});
for (const sig of ["SIGTERM", "SIGINT"] as const)
  process.on(sig, () => {
    agent.stop();
    process.exit(0);
  });
void agent.start();
