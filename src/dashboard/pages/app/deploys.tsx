// Deploy from the browser (a .tar.gz of the code, or an image) with the build output as it
// streams and a cancel button; the deploy history with each deploy's full log (its event)
// and a rollback to any earlier version that can take one.
import { Fragment } from "preact";
import { useRef, useState } from "preact/hooks";
import { api, ApiError, errorText, list, query } from "../../api/client";
import { cancelEvent, deployApp, type DeployPhase } from "../../api/deploy";
import { runStream } from "../../api/streams";
import type { Deploy, EventRecord } from "../../api/types";
import type { FieldDef } from "../../components/form";
import { fieldFor } from "../../lib/field-for";
import { LogView, OperationView, useOperation } from "../../components/operation";
import { Badge, Empty, ErrorText, Loading, Section, Table } from "../../components/ui";
import { ago, dateTime, duration } from "../../lib/format";
import { useResource } from "../../lib/use-resource";
import type { AppTabProps } from "../app";

const PHASE: Record<DeployPhase, string> = {
  uploading: "Uploading…",
  running: "Deploying…",
  reconnecting: "Connection lost: reconnecting…",
  ok: "Deployed: OK",
  failed: "Deploy failed",
};

const FIELDS: FieldDef[] = [
  { name: "file", label: "Code archive (.tar.gz)", match: /archive|tar|file|upload|gzip/i },
  { name: "image", label: "or an image", match: /image/i },
  { name: "message", label: "Message" },
];

function DeployForm({ app, onEnd }: { app: string; onEnd(): void }) {
  const [file, setFile] = useState<File | null>(null);
  const [image, setImage] = useState("");
  const [message, setMessage] = useState("");
  const [phase, setPhase] = useState<DeployPhase | null>(null);
  const [text, setText] = useState("");
  const [error, setError] = useState("");
  const [errorField, setErrorField] = useState("");
  const [cancelling, setCancelling] = useState(false);
  const eventId = useRef("");
  const running = phase === "uploading" || phase === "running" || phase === "reconnecting";

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (running) return;
    setError("");
    setErrorField("");
    setText("");
    setCancelling(false);
    eventId.current = "";
    const form = new FormData();
    if (file) form.append("file", file, "archive.tar.gz");
    if (image.trim()) form.append("image", image.trim());
    form.append("origin", file ? "app-deploy" : "image");
    if (message) form.append("message", message);
    try {
      const r = await deployApp(app, form, {
        onText: setText,
        onPhase: setPhase,
        onEvent: (id) => (eventId.current = id),
      });
      setPhase(r.ok ? "ok" : "failed");
      if (!r.ok) setError(r.error);
    } catch (e) {
      // Refused before it started: the API's sentence goes next to the field it is about.
      setPhase(null);
      const msg = errorText(e);
      setError(msg);
      setErrorField(e instanceof ApiError && e.status >= 400 ? fieldFor(msg, FIELDS) || "file" : "");
    } finally {
      onEnd();
    }
  };

  const cancel = async () => {
    if (!eventId.current) return;
    setCancelling(true);
    try {
      await cancelEvent(eventId.current, "cancelled from the dashboard");
    } catch (e) {
      setError(errorText(e));
      setCancelling(false);
    }
  };

  const fieldError = (name: string) =>
    errorField === name ? (
      <p class="field-error" id={`deploy-${name}-error`} role="alert">
        {error}
      </p>
    ) : null;
  const described = (name: string) => (errorField === name ? `deploy-${name}-error` : undefined);
  return (
    <form class="form" id="deploy" onSubmit={submit} aria-label={`Deploy ${app}`}>
      <div class="field">
        <label for="deploy-file">{FIELDS[0]!.label}</label>
        <input
          id="deploy-file"
          name="file"
          type="file"
          accept=".tar.gz,.tgz,application/gzip"
          disabled={running}
          aria-invalid={errorField === "file" ? "true" : undefined}
          aria-describedby={described("file")}
          onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)}
        />
        <p class="hint">The app's directory packed with tar -czf, as `wharf app deploy` sends it.</p>
        {fieldError("file")}
      </div>
      <div class="field">
        <label for="deploy-image">{FIELDS[1]!.label}</label>
        <input
          id="deploy-image"
          name="image"
          placeholder="registry/image:tag"
          value={image}
          disabled={running}
          aria-invalid={errorField === "image" ? "true" : undefined}
          aria-describedby={described("image")}
          onInput={(e) => setImage((e.target as HTMLInputElement).value)}
        />
        {fieldError("image")}
      </div>
      <div class="field">
        <label for="deploy-message">{FIELDS[2]!.label}</label>
        <input
          id="deploy-message"
          name="message"
          value={message}
          disabled={running}
          onInput={(e) => setMessage((e.target as HTMLInputElement).value)}
        />
      </div>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={running} aria-busy={running}>
          {running ? "Deploying…" : "Deploy"}
        </button>
        {running && eventId.current ? (
          <button type="button" class="danger" onClick={cancel} disabled={cancelling}>
            {cancelling ? "Cancelling…" : "Cancel deploy"}
          </button>
        ) : null}
      </div>
      {phase ? (
        <div class={`operation operation-${phase}`}>
          <p class="operation-status" role="status" id="deploy-status" data-phase={phase}>
            {running ? <span class="spinner" aria-hidden="true" /> : null}
            {PHASE[phase]}
          </p>
          <LogView id="deploy-log" text={text} label="Build and deploy output" />
          {phase === "failed" && error ? (
            <p class="error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
      ) : null}
      {!phase && error && !errorField ? <ErrorText error={error} /> : null}
    </form>
  );
}

function DeployLog({ id }: { id: string }) {
  const ev = useResource(
    async (signal) => (await api<EventRecord>("GET", `/events/${id}`, undefined, { signal }))!,
    [id],
    2000,
    true,
  );
  if (ev.loading && !ev.data) return <Loading what="the deploy's log" />;
  if (!ev.data) return <ErrorText error={ev.error} />;
  return (
    <LogView text={ev.data.Log + (ev.data.Error ? `\nError: ${ev.data.Error}\n` : "")} label="Deploy log" />
  );
}

export function DeploysTab({ app, info }: AppTabProps) {
  const deploys = useResource(
    (signal) => list<Deploy>(`/deploys${query({ app: app.name, limit: 25 })}`, signal),
    [app.name],
    0,
    true,
  );
  const [open, setOpen] = useState("");
  const op = useOperation(() => Promise.all([deploys.reload(), info.reload()]));
  // The version serving now: the units' (after a rollback it is not the newest deploy).
  const current = app.units.find((u) => u.Routable)?.Version ?? deploys.data?.find((d) => !d.Error)?.Version;
  const reload = () => void Promise.all([deploys.reload(), info.reload()]);
  return (
    <div>
      <Section title={`Deploy ${app.name}`} id="deploy-section">
        <DeployForm app={app.name} onEnd={reload} />
      </Section>
      <Section title="Deploy history" id="history">
        <OperationView op={op} />
        {deploys.loading && !deploys.data ? <Loading what="deploys" /> : null}
        <ErrorText error={deploys.error} />
        {deploys.data?.length === 0 ? <Empty title="No deploys yet." /> : null}
        {deploys.data?.length ? (
          <Table
            caption="Deploys, newest first"
            head={["Version", "When", "By", "Origin", "Duration", "Result", "Actions"]}
          >
            {deploys.data.map((d) => (
              <Fragment key={d.ID}>
                <tr>
                  <th scope="row">v{d.Version}</th>
                  <td title={dateTime(d.Timestamp)}>{ago(d.Timestamp)}</td>
                  <td>{d.User}</td>
                  <td>{d.Origin}</td>
                  <td>{duration(d.Duration)}</td>
                  <td>
                    {d.Error ? <Badge status="failed" label="failed" /> : <Badge status="ok" label="OK" />}
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      aria-expanded={open === d.ID}
                      onClick={() => setOpen(open === d.ID ? "" : d.ID)}
                    >
                      {open === d.ID ? "Hide log" : "Log"}
                      <span class="sr-only"> of v{d.Version}</span>
                    </button>
                    {d.CanRollback && !d.Error && d.Version !== current ? (
                      <button
                        type="button"
                        disabled={op.state === "running"}
                        onClick={() =>
                          op.run(`Rolling back to v${d.Version}`, (say) =>
                            runStream(
                              "POST",
                              `/apps/${encodeURIComponent(app.name)}/deploy/rollback`,
                              { image: `v${d.Version}`, origin: "rollback" },
                              say,
                            ),
                          )
                        }
                      >
                        Roll back to v{d.Version}
                      </button>
                    ) : null}
                  </td>
                </tr>
                {open === d.ID ? (
                  <tr class="log-row">
                    <td colSpan={7}>
                      <DeployLog id={d.ID} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </Table>
        ) : null}
      </Section>
    </div>
  );
}
