// `wharf app log [-a APP] [-l LINES] [-p PROCESS] [-u UNIT] [-f]` (tsuru's app-log,
// reference §4.7): the app's recent lines from all its units, each with its date, process
// and unit; with -f it keeps streaming, across unit restarts and moves, until interrupted.
import type { Command } from "commander";
import { apiFor } from "../context.js";
import { CliError } from "../errors.js";
import { field, str } from "../output.js";
import { appOption, resolveApp, usageError } from "../options.js";
import { queryEscape } from "../client/http.js";

export interface LogFormat {
  date: boolean;
  source: boolean;
}

/** tsuru-client's line: `<local date> [<Source>][<Unit>]: <Message>`. */
export function formatLogEntry(e: unknown, f: LogFormat): string {
  const parts: string[] = [];
  if (f.date) {
    const d = new Date(str(e, "Date"));
    if (!Number.isNaN(d.getTime())) {
      const pad = (n: number) => String(n).padStart(2, "0");
      const off = -d.getTimezoneOffset();
      const tz = `${off >= 0 ? "+" : "-"}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
      parts.push(
        `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${tz}`,
      );
    }
  }
  if (f.source) {
    const unit = str(e, "Unit");
    parts.push(`[${str(e, "Source")}]${unit ? `[${unit}]` : ""}:`);
  }
  const msg = str(e, "Message").replace(/\n$/, "");
  return parts.length ? `${parts.join(" ")} ${msg}` : msg;
}

/** The stream's chunks are JSON arrays, one per line; each entry is handed to `each`. */
export async function readLogStream(
  chunks: AsyncIterable<Buffer | string>,
  each: (entry: unknown) => void,
): Promise<void> {
  let pending = "";
  const decoder = new TextDecoder();
  const line = (text: string) => {
    if (!text.trim()) return;
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch {
      throw new CliError(`unable to parse the server's log stream: ${JSON.stringify(text.slice(0, 80))}`);
    }
    if (!Array.isArray(arr))
      throw new CliError("unable to parse the server's log stream: expected a JSON array");
    for (const e of arr) each(e);
  };
  for await (const c of chunks) {
    pending += typeof c === "string" ? c : decoder.decode(c, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      line(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  }
  line(pending + decoder.decode());
}

interface LogOptions {
  app?: string;
  lines: string;
  process?: string;
  /** A name from -s, or false from --no-source. */
  source?: string | boolean;
  unit?: string;
  follow?: boolean;
  date: boolean;
  json?: boolean;
}

export function registerAppLog(program: Command): void {
  const app = program.commands.find((c) => c.name() === "app");
  if (!app) throw new Error("register the app topic before app log");
  appOption(
    app
      .command("log")
      .description("show the app's log: recent lines from all its units (-f keeps streaming new ones)")
      .option("-l, --lines <n>", "how many recent lines", "10")
      .option("-p, --process <name>", "only lines of this process (tsuru's source)")
      .option("-s, --source <name>", "the same as --process, tsuru's name")
      .option("-u, --unit <id>", "only lines of this unit")
      .option("-f, --follow", "keep streaming new lines until interrupted")
      .option("--no-date", "leave out the date")
      .option("--no-source", "leave out the [process][unit] prefix")
      .option("--json", "print each entry as one JSON object per line"),
  ).action(async (opts: LogOptions, cmd: Command) => {
    if (!/^\d{1,6}$/.test(opts.lines))
      throw usageError(`invalid number of lines "${opts.lines}": give a whole number, e.g. -l 50`);
    const name = resolveApp(opts.app);
    // commander turns --no-source into source=false; -s gives the source's name.
    const prefix = opts.source !== false;
    const source = opts.process ?? (typeof opts.source === "string" ? opts.source : "");
    let path = `/apps/${name}/log?lines=${opts.lines}`;
    if (source) path += `&source=${queryEscape(source)}`;
    if (opts.unit) path += `&unit=${queryEscape(opts.unit)}`;
    if (opts.follow) path += "&follow=1";
    const res = await apiFor(cmd).request("GET", path);
    if (res.status === 204) return;
    const fmt = { date: opts.date, source: prefix };
    await readLogStream(res.body, (e) => {
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(e)}\n`);
        return;
      }
      if (field(e, "Message") === undefined) return;
      process.stdout.write(`${formatLogEntry(e, fmt)}\n`);
    });
  });
}
