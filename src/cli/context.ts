// Builds the API client for a command from the global flags, env and ~/.wharf.
import type { Command } from "commander";
import { ApiClient } from "./client/http.js";
import { readToken, resolveTarget, type ResolvedTarget } from "./config.js";

export interface GlobalOptions {
  target?: string;
  verbosity?: string;
}

/** The program-level flags only: a subcommand's own `-t` must never pass for --target. */
export function globals(cmd: Command): GlobalOptions {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

export function targetFor(cmd: Command): ResolvedTarget {
  return resolveTarget(process.env, globals(cmd).target);
}

export function apiFor(cmd: Command): ApiClient {
  const target = targetFor(cmd);
  const verbosity = Number(globals(cmd).verbosity ?? 0) || 0;
  return new ApiClient({ target: target.url, token: readToken(target), verbosity });
}
