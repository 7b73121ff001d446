// Every CLI topic, in help order. Add one import + one entry per topic file.
import type { Command } from "commander";
import { registerDev } from "./commands/dev.js";

export const topics: Array<(program: Command) => void> = [registerDev];
