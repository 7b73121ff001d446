// One event (GET /events/{id}): what, on what, by whom, when, its result and its full log,
// polled while it runs, with a cancel button when the event takes one.
import { useState } from "preact/hooks";
import { api, errorText } from "../api/client";
import { cancelEvent } from "../api/deploy";
import type { EventRecord } from "../api/types";
import { LogView } from "../components/operation";
import { Badge, ErrorText, Facts, Loading } from "../components/ui";
import { dateTime, isZeroTime } from "../lib/format";
import { href } from "../lib/router";
import { useResource } from "../lib/use-resource";
import { eventStatus } from "./events";

type FullEvent = EventRecord & { Cancelable?: boolean };

export function EventPage({ id }: { id: string }) {
  const ev = useResource(
    async (signal) =>
      (await api<FullEvent>("GET", `/events/${encodeURIComponent(id)}`, undefined, { signal }))!,
    [id],
    2000,
    true,
  );
  const [error, setError] = useState("");
  const [cancelling, setCancelling] = useState(false);
  if (ev.loading && !ev.data) return <Loading what="the event" />;
  if (!ev.data)
    return (
      <div>
        <h1>Event {id}</h1>
        <ErrorText error={ev.error} />
        <p>
          <a href={href("/events")}>Back to the events</a>
        </p>
      </div>
    );
  const e = ev.data;
  const targetHref =
    e.Target.Type === "app"
      ? href(`/apps/${encodeURIComponent(e.Target.Value)}`)
      : e.Target.Type === "node"
        ? href(`/nodes/${encodeURIComponent(e.Target.Value)}`)
        : "";
  const cancel = async () => {
    setCancelling(true);
    setError("");
    try {
      await cancelEvent(e.UniqueID, "cancelled from the dashboard");
    } catch (x) {
      setError(errorText(x));
    }
    await ev.reload();
    setCancelling(false);
  };
  return (
    <div>
      <div class="page-title">
        <h1>
          {e.Kind.Name} <Badge status={eventStatus(e)} />
        </h1>
        {e.Running && e.Cancelable ? (
          <button type="button" class="danger" onClick={cancel} disabled={cancelling || e.CancelInfo?.Asked}>
            {e.CancelInfo?.Asked ? "Cancel asked" : cancelling ? "Cancelling…" : "Cancel"}
          </button>
        ) : null}
      </div>
      <ErrorText error={error} />
      <Facts
        items={[
          [
            "Target",
            targetHref ? (
              <a href={targetHref}>{`${e.Target.Type} ${e.Target.Value}`}</a>
            ) : (
              `${e.Target.Type} ${e.Target.Value}`
            ),
          ],
          ["Owner", `${e.Owner.Type} ${e.Owner.Name}`],
          ["Started", dateTime(e.StartTime)],
          ["Ended", e.Running || isZeroTime(e.EndTime) ? "still running" : dateTime(e.EndTime)],
          ["ID", <code>{e.UniqueID}</code>],
        ]}
      />
      {e.Error ? (
        <p class="error" role="alert">
          {e.Error}
        </p>
      ) : null}
      <h2>Log</h2>
      {e.Log ? (
        <LogView text={e.Log} label="Event log" id="event-log" />
      ) : (
        <p class="muted">This event wrote no log.</p>
      )}
      <ErrorText error={ev.error} />
    </div>
  );
}
