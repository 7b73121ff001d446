// Units per process (node, address, status, restarts, last exit), scaling a process to a
// count (PUT/DELETE /apps/{app}/units), start/stop/restart, and the app's metrics.
import { useState } from "preact/hooks";
import { query } from "../../api/client";
import { can } from "../../api/me";
import { runStream } from "../../api/streams";
import type { Unit } from "../../api/types";
import { OperationView, useOperation, type Operation } from "../../components/operation";
import { Badge, Empty, Section, Table } from "../../components/ui";
import { ago } from "../../lib/format";
import { href } from "../../lib/router";
import type { AppTabProps } from "../app";
import { MetricsPanel } from "./metrics";

function byProcess(units: readonly Unit[]): Map<string, Unit[]> {
  const m = new Map<string, Unit[]>();
  for (const u of units) m.set(u.ProcessName, [...(m.get(u.ProcessName) ?? []), u]);
  return new Map([...m].sort(([a], [b]) => (a === "web" ? -1 : b === "web" ? 1 : a.localeCompare(b))));
}

function nodeName(address: string): string {
  return address.replace(/^\w+:\/\//, "").replace(/:\d+$/, "");
}

function lastExit(u: Unit): string {
  if (!u.LastExitReason) return "—";
  const code = u.LastExitCode === null ? "" : ` (code ${u.LastExitCode})`;
  return `${u.LastExitReason}${code}, ${ago(u.LastExitAt)}`;
}

/** Scale a process to a count: the difference is added or removed; anything else goes to the API as typed. */
function ScaleForm({
  app,
  process,
  current,
  op,
}: {
  app: string;
  process: string;
  current: number;
  op: Operation;
}) {
  const [target, setTarget] = useState(String(current));
  const id = `scale-${process}`;
  const path = `/apps/${encodeURIComponent(app)}/units`;
  const submit = async (ev: Event) => {
    ev.preventDefault();
    const raw = target.trim();
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isFinite(n) && n === current) return;
    if (Number.isFinite(n) && n < current) {
      await op.run(
        `Removing ${current - n} ${process} unit(s)`,
        (say) => runStream("DELETE", `${path}${query({ units: current - n, process })}`, undefined, say),
        id,
      );
    } else {
      // More units, or not a count at all: the API checks it and says what is wrong.
      const units = Number.isFinite(n) ? String(n - current) : raw;
      await op.run(
        Number.isFinite(n) ? `Adding ${n - current} ${process} unit(s)` : `Scaling ${process}`,
        (say) => runStream("PUT", path, { units, process }, say),
        id,
      );
    }
  };
  const errId = `${id}-error`;
  const failed = op.state === "failed" && op.owner === id;
  return (
    <form class="form-inline scale" onSubmit={submit} aria-label={`Scale ${process}`}>
      <label for={id}>Number of {process} units</label>
      <input
        id={id}
        name="units"
        inputMode="numeric"
        value={target}
        size={4}
        aria-invalid={failed ? "true" : undefined}
        aria-describedby={failed ? errId : undefined}
        onInput={(e) => setTarget((e.target as HTMLInputElement).value)}
        disabled={op.state === "running"}
      />
      <button type="submit" disabled={op.state === "running"}>
        Scale
      </button>
      {failed ? (
        <p class="field-error" id={errId} role="alert">
          {op.error}
        </p>
      ) : null}
    </form>
  );
}

function Lifecycle({ app, process, op }: { app: string; process: string; op: Operation }) {
  const path = `/apps/${encodeURIComponent(app)}`;
  const what = process ? `${process} units` : "all units";
  const verb = (v: "start" | "stop" | "restart", label: string) => (
    <button
      type="button"
      disabled={op.state === "running"}
      onClick={() => op.run(`${label} ${what}`, (say) => runStream("POST", `${path}/${v}`, { process }, say))}
    >
      {v[0]!.toUpperCase() + v.slice(1)}
      <span class="sr-only"> {what}</span>
    </button>
  );
  return (
    <div class="button-row">
      {verb("start", "Starting")}
      {verb("stop", "Stopping")}
      {verb("restart", "Restarting")}
    </div>
  );
}

export function OverviewTab({ me, app, info, routerUrl }: AppTabProps & { routerUrl: string }) {
  const op = useOperation(() => info.reload());
  const mayScale =
    can(me, "app.update.unit", { type: "team", value: app.teamowner }) || can(me, "app.update.unit");
  const procs = byProcess(app.units);
  return (
    <div>
      <OperationView op={op} />
      {procs.size === 0 ? (
        <Section title="Units">
          <Empty title="No units yet.">
            <p>
              Deploy code to {app.name} from the{" "}
              <a href={href(`/apps/${encodeURIComponent(app.name)}/deploys`)}>Deploys</a> section: its
              processes start as units on the pool's nodes.
            </p>
          </Empty>
        </Section>
      ) : null}
      {[...procs].map(([proc, units]) => (
        <Section
          key={proc}
          id={`process-${proc}`}
          title={`Process ${proc}: ${units.length} unit${units.length === 1 ? "" : "s"}`}
          actions={mayScale ? <Lifecycle app={app.name} process={proc} op={op} /> : null}
        >
          {mayScale ? <ScaleForm app={app.name} process={proc} current={units.length} op={op} /> : null}
          <Table
            caption={`Units of ${proc}`}
            head={["Unit", "Status", "Node", "Address", "Version", "Restarts", "Last exit"]}
          >
            {units.map((u) => (
              <tr key={u.Name} data-unit={u.Name}>
                <th scope="row">{u.Name}</th>
                <td>
                  <Badge status={u.Status} />
                </td>
                <td>
                  {u.Node ? (
                    <a href={href(`/nodes/${encodeURIComponent(u.Node)}`)}>{nodeName(u.Node)}</a>
                  ) : (
                    "—"
                  )}
                </td>
                <td>{u.Address?.Host ?? "—"}</td>
                <td>v{u.Version}</td>
                <td>{u.Restarts}</td>
                <td>{lastExit(u)}</td>
              </tr>
            ))}
          </Table>
        </Section>
      ))}
      {procs.size > 0 && mayScale ? (
        <Section title="Whole app">
          <Lifecycle app={app.name} process="" op={op} />
          {routerUrl ? (
            <p>
              The router serves {app.name} at{" "}
              <a href={routerUrl} target="_blank" rel="noopener noreferrer">
                {routerUrl}
              </a>
              .
            </p>
          ) : null}
        </Section>
      ) : null}
      <Section title="Last hour" id="metrics">
        <MetricsPanel app={app.name} />
      </Section>
    </div>
  );
}
