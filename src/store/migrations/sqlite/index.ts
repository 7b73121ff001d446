import { checkMigrations } from "../types.js";
import { m001 } from "./001_initial.js";
import { m002 } from "./002_nodes.js";
import { m003 } from "./003_deploys.js";
import { m004 } from "./004_certificates.js";
import { m005 } from "./005_running_events.js";
import { m006 } from "./006_app_constraints.js";
import { m007 } from "./007_services.js";
import { m008 } from "./008_service_containers.js";
import { m009 } from "./009_logs_agents.js";
import { m010 } from "./010_unit_healing.js";
import { m011 } from "./011_tsuru_surface.js";
import { m012 } from "./012_metrics_autoscale.js";
import { m013 } from "./013_docker_endpoint.js";
import { m014 } from "./014_pool_image_allowlist.js";
import { m015 } from "./015_version_image_id.js";

export const sqliteMigrations = checkMigrations([
  m001,
  m002,
  m003,
  m004,
  m005,
  m006,
  m007,
  m008,
  m009,
  m010,
  m011,
  m012,
  m013,
  m014,
  m015,
]);
