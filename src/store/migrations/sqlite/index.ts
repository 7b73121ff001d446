import { checkMigrations } from "../types.js";
import { m001 } from "./001_initial.js";

export const sqliteMigrations = checkMigrations([m001]);
