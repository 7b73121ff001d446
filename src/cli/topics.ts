// Every CLI topic, in help order, loaded on demand: a command imports only its own topic's
// modules (and what they import), so `wharf unit add` does not pay for tar, YAML or the dev
// cluster's Docker client at start-up. Add one entry per topic file; `names` are the
// top-level commands its register functions add (test/unit/cli/topics.test.ts checks them).
import type { Command } from "commander";

export type Register = (program: Command) => void;

export interface Topic {
  names: readonly string[];
  load: () => Promise<Register[]>;
}

export const topics: readonly Topic[] = [
  { names: ["target"], load: async () => [(await import("./commands/target.js")).registerTarget] },
  { names: ["login", "logout"], load: async () => [(await import("./commands/auth.js")).registerAuth] },
  { names: ["user"], load: async () => [(await import("./commands/user.js")).registerUser] },
  { names: ["team"], load: async () => [(await import("./commands/team.js")).registerTeam] },
  { names: ["role", "permission"], load: async () => [(await import("./commands/role.js")).registerRole] },
  { names: ["token"], load: async () => [(await import("./commands/token.js")).registerToken] },
  { names: ["pool"], load: async () => [(await import("./commands/pool.js")).registerPool] },
  {
    names: ["node"],
    load: async () => {
      const [node, containers] = await Promise.all([
        import("./commands/node.js"),
        import("./commands/node-container.js"),
      ]);
      // Adds `node container`, so after registerNode.
      return [node.registerNode, containers.registerNodeContainer];
    },
  },
  { names: ["platform"], load: async () => [(await import("./commands/platform.js")).registerPlatform] },
  { names: ["plan"], load: async () => [(await import("./commands/plan.js")).registerPlan] },
  {
    names: ["app"],
    load: async () => {
      const [app, deploy, ops, log, constraints, metrics] = await Promise.all([
        import("./commands/app.js"),
        import("./commands/deploy.js"),
        import("./commands/app-ops.js"),
        import("./commands/app-log.js"),
        import("./commands/app-constraints.js"),
        import("./commands/app-metrics.js"),
      ]);
      // These add subcommands to `app`, so they come after it.
      return [
        app.registerApp,
        deploy.registerDeploy,
        ops.registerAppOps,
        log.registerAppLog,
        constraints.registerAppConstraints,
        metrics.registerAppMetrics,
      ];
    },
  },
  {
    names: ["unit"],
    load: async () => {
      const [unit, autoscale] = await Promise.all([
        import("./commands/unit.js"),
        import("./commands/unit-autoscale.js"),
      ]);
      return [unit.registerUnit, autoscale.registerUnitAutoscale];
    },
  },
  { names: ["env"], load: async () => [(await import("./commands/env.js")).registerEnv] },
  { names: ["cname"], load: async () => [(await import("./commands/cname.js")).registerCname] },
  {
    names: ["certificate"],
    load: async () => [(await import("./commands/certificate.js")).registerCertificate],
  },
  {
    names: ["service"],
    load: async () => {
      const [service, instance] = await Promise.all([
        import("./commands/service.js"),
        import("./commands/service-instance.js"),
      ]);
      // Adds `service instance`, so after registerService.
      return [service.registerService, instance.registerServiceInstance];
    },
  },
  { names: ["event"], load: async () => [(await import("./commands/event.js")).registerEvent] },
  { names: ["docker"], load: async () => [(await import("./commands/docker.js")).registerDocker] },
  { names: ["server"], load: async () => [(await import("./commands/server.js")).registerServer] },
  { names: ["router"], load: async () => [(await import("./commands/router.js")).registerRouter] },
  { names: ["dev"], load: async () => [(await import("./commands/dev.js")).registerDev] },
];

/**
 * The topics a command line needs: the one its first word (or, for tsuru's hyphenated
 * names such as `app-deploy`, the word's first part) names; every topic otherwise (help,
 * a typo commander should suggest a fix for); none for a bare `--version`.
 */
export function topicsFor(args: readonly string[], globalsWithValue: readonly string[]): readonly Topic[] {
  let i = 0;
  while (i < args.length && args[i]!.startsWith("-")) i += globalsWithValue.includes(args[i]!) ? 2 : 1;
  const word = args[i];
  if (word === undefined) {
    const has = (...flags: string[]) => args.some((a) => flags.includes(a));
    return has("--version", "-V") && !has("--help", "-h") ? [] : topics;
  }
  const match = (w: string) => topics.find((t) => t.names.includes(w));
  const topic = match(word) ?? match(word.split("-")[0]!);
  return topic ? [topic] : topics;
}
