// Every CLI topic, in help order. Add one import + one entry per topic file.
import type { Command } from "commander";

export const topics: Array<(program: Command) => void> = [];
