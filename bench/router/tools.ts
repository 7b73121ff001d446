// The Debian tools the router benchmarks drive, installed when missing (the project's rule:
// everything from Debian's archive or npm).
import { execSync, spawnSync } from "node:child_process";

export function ensureTools(tools: readonly string[] = ["nginx", "wrk"]): void {
  const missing = tools.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
  if (missing.length === 0) return;
  console.log(`installing ${missing.join(" ")} from Debian...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    execSync(`apt-get install -y ${missing.join(" ")}`, { stdio: "inherit", env });
  } catch {
    execSync(`apt-get update && apt-get install -y ${missing.join(" ")}`, { stdio: "inherit", env });
  }
}
