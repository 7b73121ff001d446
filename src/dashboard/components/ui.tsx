// Small pieces every page uses: status badges, empty states, the API's error sentence,
// progress, page headings, and definition lists.
import type { ComponentChildren } from "preact";

const TONE: Record<string, string> = {
  started: "ok",
  ready: "ok",
  healthy: "ok",
  succeeded: "ok",
  ok: "ok",
  enabled: "ok",
  running: "info",
  building: "info",
  starting: "info",
  created: "info",
  "in progress": "info",
  stopped: "muted",
  disabled: "muted",
  asleep: "muted",
  error: "bad",
  failed: "bad",
  unhealthy: "bad",
  crashed: "bad",
  unknown: "warn",
};

export function Badge({ status, label }: { status: string; label?: string }) {
  const tone = TONE[status.toLowerCase()] ?? "muted";
  return <span class={`badge badge-${tone}`}>{label ?? status}</span>;
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children ? <div class="empty-body">{children}</div> : null}
    </div>
  );
}

/** The API's sentence, as it said it. */
export function ErrorText({ error }: { error: string }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function PageTitle({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-title">
      <h1>{title}</h1>
      {children ? <div class="page-actions">{children}</div> : null}
    </div>
  );
}

export function Section({
  title,
  id,
  children,
  actions,
}: {
  title: string;
  id?: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  const hid = id ? `${id}-title` : undefined;
  return (
    <section class="card" aria-labelledby={hid} id={id}>
      <div class="card-head">
        <h2 id={hid}>{title}</h2>
        {actions ? <div class="card-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

export function Facts({ items }: { items: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v === "" || v === null || v === undefined ? "—" : v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A table whose rows scroll sideways on a phone instead of breaking the page. */
export function Table({
  caption,
  head,
  children,
}: {
  caption: string;
  head: string[];
  children: ComponentChildren;
}) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
