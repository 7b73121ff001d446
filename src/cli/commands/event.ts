// `wharf event list|info` (reference §4.9): the audit log of every mutation.
import type { Command } from "commander";
import { query, type FormFields } from "../client/http.js";
import { apiFor } from "../context.js";
import { emit, field, formatDuration, formatTime, str, table } from "../output.js";
import { collect, jsonOption } from "../options.js";

function target(t: unknown): string {
  const type = str(t, "Type");
  let value = str(t, "Value");
  if (type === "container") value = value.slice(0, 12);
  return `${type}: ${value}`;
}

function targets(ev: unknown): string {
  const extra = (field<unknown[]>(ev, "ExtraTargets") ?? []).map((x) => target(field(x, "Target")));
  return [target(field(ev, "Target")), ...extra].join("\n");
}

function success(ev: unknown): string {
  if (field(ev, "Running") === true) return "…";
  const canceled = field(field(ev, "CancelInfo"), "Canceled") === true;
  if (str(ev, "Error")) return canceled ? "false (canceled)" : "false";
  return "true";
}

function started(ev: unknown): string {
  const start = str(ev, "StartTime");
  if (field(ev, "Running") === true) return `${formatTime(start)} (running)`;
  const ms = Date.parse(str(ev, "EndTime")) - Date.parse(start);
  return `${formatTime(start)}${Number.isFinite(ms) ? ` (${formatDuration(ms)})` : ""}`;
}

/** Owners are shown up to their `@`, as tsuru does, to keep the table narrow. */
function owner(ev: unknown): string {
  return str(field(ev, "Owner"), "Name").split("@")[0] ?? "";
}

export function renderEvents(events: unknown[]): string {
  return table(
    ["ID", "Start (duration)", "Success", "Owner", "Kind", "Target"],
    events.map((ev) => [
      str(ev, "UniqueID"),
      started(ev),
      success(ev),
      owner(ev),
      str(field(ev, "Kind"), "Name"),
      targets(ev),
    ]),
  );
}

export function renderEvent(ev: unknown): string {
  const kind = field(ev, "Kind");
  const own = field(ev, "Owner");
  const out = [
    `ID:       ${str(ev, "UniqueID")}`,
    `Start:    ${formatTime(str(ev, "StartTime"))}`,
    `End:      ${field(ev, "Running") === true ? "running" : formatTime(str(ev, "EndTime"))}`,
    `Targets:  ${targets(ev).replace(/\n/g, ", ")}`,
    `Kind:     ${str(kind, "Type")}(${str(kind, "Name")})`,
    `Owner:    ${str(own, "Type")}(${str(own, "Name")})`,
    `Success:  ${success(ev)}`,
  ];
  if (str(ev, "Error")) out.push(`Error:    ${JSON.stringify(str(ev, "Error"))}`);
  const cancel = field(ev, "CancelInfo");
  if (field(cancel, "Asked") === true) {
    out.push(`Cancel:   asked by ${str(cancel, "Owner")}: ${str(cancel, "Reason")}`);
  }
  if (str(ev, "Log"))
    out.push(
      "Log:",
      ...str(ev, "Log")
        .replace(/\n$/, "")
        .split("\n")
        .map((l) => `    ${l}`),
    );
  return out.join("\n");
}

export function registerEvent(program: Command): void {
  const event = program.command("event").description("the record of every change made through Wharf");

  jsonOption(
    event
      .command("list")
      .description("list events, newest first")
      .option("-k, --kind <name>", "only this kind, e.g. app.create (repeatable)", collect, [])
      .option("-t, --target-type <type>", "only this target type, e.g. app")
      .option("-v, --target-value <value>", "only this target value, e.g. an app name")
      .option("-o, --owner <name>", "only events by this owner")
      .option("-r, --running", "only running events"),
  ).action(
    async (
      opts: {
        json?: boolean;
        kind: string[];
        targetType?: string;
        targetValue?: string;
        owner?: string;
        running?: boolean;
      },
      cmd: Command,
    ) => {
      // Every filter key goes, even empty, like tsuru's form-encoded filter struct.
      const q: FormFields = {
        allowedtargets: "",
        erroronly: "",
        includeremoved: "",
        kindname: opts.kind.length ? opts.kind : "",
        kindtype: "",
        limit: "",
        ownername: opts.owner ?? "",
        ownertype: "",
        permissions: "",
        raw: "",
        since: "",
        skip: "",
        sort: "",
        "target.type": opts.targetType ?? "",
        "target.value": opts.targetValue ?? "",
        until: "",
      };
      if (opts.running) q.running = "true";
      const events =
        (await apiFor(cmd).getJson<unknown[]>("GET", `/events${query(q)}`, { version: "1.1" })) ?? [];
      emit(opts, events, () => renderEvents(events));
    },
  );

  jsonOption(event.command("info <id>").description("show one event with its log")).action(
    async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const ev = await apiFor(cmd).getJson<unknown>("GET", `/events/${id}`, { version: "1.1" });
      emit(opts, ev, () => (ev ? renderEvent(ev) : ""));
    },
  );
}
