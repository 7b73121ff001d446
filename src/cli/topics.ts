// Every CLI topic, in help order. Add one import + one entry per topic file.
import type { Command } from "commander";
import { registerDev } from "./commands/dev.js";
import { registerTarget } from "./commands/target.js";
import { registerAuth } from "./commands/auth.js";
import { registerUser } from "./commands/user.js";
import { registerTeam } from "./commands/team.js";
import { registerRole } from "./commands/role.js";
import { registerToken } from "./commands/token.js";
import { registerPool } from "./commands/pool.js";
import { registerNode } from "./commands/node.js";
import { registerPlatform } from "./commands/platform.js";
import { registerPlan } from "./commands/plan.js";
import { registerApp } from "./commands/app.js";
import { registerAppOps } from "./commands/app-ops.js";
import { registerAppLog } from "./commands/app-log.js";
import { registerNodeContainer } from "./commands/node-container.js";
import { registerAppConstraints } from "./commands/app-constraints.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerUnit } from "./commands/unit.js";
import { registerEnv } from "./commands/env.js";
import { registerCname } from "./commands/cname.js";
import { registerCertificate } from "./commands/certificate.js";
import { registerEvent } from "./commands/event.js";
import { registerServer } from "./commands/server.js";
import { registerRouter } from "./commands/router.js";
import { registerService } from "./commands/service.js";
import { registerServiceInstance } from "./commands/service-instance.js";

export const topics: Array<(program: Command) => void> = [
  registerTarget,
  registerAuth,
  registerUser,
  registerTeam,
  registerRole,
  registerToken,
  registerPool,
  registerNode,
  // Adds `node container`, so after registerNode.
  registerNodeContainer,
  registerPlatform,
  registerPlan,
  registerApp,
  // These add subcommands to `app`, so they come after it.
  registerDeploy,
  registerAppOps,
  registerAppLog,
  registerAppConstraints,
  registerUnit,
  registerEnv,
  registerCname,
  registerCertificate,
  registerService,
  // Adds `service instance`, so after registerService.
  registerServiceInstance,
  registerEvent,
  registerServer,
  registerRouter,
  registerDev,
];
