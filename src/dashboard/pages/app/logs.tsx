// The app's live log (`wharf app log -f`): recent lines, then new ones as units write them,
// filtered by process or unit; it says when the connection dropped and resumes by itself.
import { useEffect, useState } from "preact/hooks";
import { followLog, type FollowState } from "../../api/logs";
import type { LogEntry } from "../../lib/log-merge";
import { LogView } from "../../components/operation";
import { Section } from "../../components/ui";
import type { AppTabProps } from "../app";

const STATE: Record<FollowState, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Connection lost: reconnecting…",
  failed: "Stopped",
};

function time(iso: string): string {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toLocaleTimeString() : "";
}

export function formatLine(e: LogEntry): string {
  return `${time(e.Date)} [${e.Source}][${e.Unit}]: ${e.Message.replace(/\n$/, "")}`;
}

export function LogsTab({ app }: AppTabProps) {
  const processes = [...new Set(app.units.map((u) => u.ProcessName))].sort();
  const [source, setSource] = useState("");
  const [unit, setUnit] = useState("");
  const [state, setState] = useState<FollowState>("connecting");
  const [detail, setDetail] = useState("");
  const [text, setText] = useState("");
  const [paused, setPaused] = useState(false);

  useEffect(() => {
    if (paused) return;
    const ac = new AbortController();
    setText("");
    setDetail("");
    void followLog(
      {
        app: app.name,
        source,
        unit,
        onLines: (_fresh, all) => setText(all.map(formatLine).join("\n") + "\n"),
        onState: (s, d) => {
          setState(s);
          setDetail(d ?? "");
        },
      },
      ac.signal,
    );
    return () => ac.abort();
  }, [app.name, source, unit, paused]);

  const units = app.units.filter((u) => !source || u.ProcessName === source);
  return (
    <Section
      title="Live log"
      id="live-log"
      actions={
        <span class={`live-state live-${paused ? "paused" : state}`} role="status" id="log-state">
          {paused ? "Paused" : STATE[state]}
        </span>
      }
    >
      <div class="filters">
        <label>
          Process
          <select
            value={source}
            onChange={(e) => (setSource((e.target as HTMLSelectElement).value), setUnit(""))}
          >
            <option value="">all processes</option>
            {processes.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label>
          Unit
          <select value={unit} onChange={(e) => setUnit((e.target as HTMLSelectElement).value)}>
            <option value="">all units</option>
            {units.map((u) => (
              <option key={u.Name} value={u.Name}>
                {u.Name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? "Resume" : "Pause"}
        </button>
      </div>
      {detail ? (
        <p class="error" role="alert">
          {detail}
        </p>
      ) : null}
      {text ? (
        <LogView id="app-log" text={text} label={`Log of ${app.name}`} />
      ) : (
        <p class="muted" id="app-log-empty">
          {state === "live" ? "No lines yet: they appear here as the app's units write them." : "…"}
        </p>
      )}
    </Section>
  );
}
