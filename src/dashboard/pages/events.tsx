// Events the user may see (GET /events), newest first, with tsuru's filters (kind, target,
// owner, running, errors only); each opens its own page with its log. Polled while open.
import { useState } from "preact/hooks";
import { list, query } from "../api/client";
import type { EventRecord } from "../api/types";
import { Badge, Empty, ErrorText, Loading, PageTitle, Table } from "../components/ui";
import { ago, dateTime } from "../lib/format";
import { href } from "../lib/router";
import { useResource } from "../lib/use-resource";

const PAGE = 50;

export function eventStatus(e: EventRecord): string {
  if (e.Running) return "running";
  return e.Error ? "failed" : "succeeded";
}

export function EventsPage() {
  const [kind, setKind] = useState("");
  const [targetType, setTargetType] = useState("");
  const [targetValue, setTargetValue] = useState("");
  const [owner, setOwner] = useState("");
  const [running, setRunning] = useState(false);
  const [errorOnly, setErrorOnly] = useState(false);
  const [skip, setSkip] = useState(0);
  const filters = [kind, targetType, targetValue, owner, running, errorOnly, skip];
  const events = useResource(
    (signal) =>
      list<EventRecord>(
        `/events${query({
          kindname: kind.trim() || undefined,
          "target.type": targetType || undefined,
          "target.value": targetValue.trim() || undefined,
          ownername: owner.trim() || undefined,
          running: running || undefined,
          erroronly: errorOnly || undefined,
          limit: PAGE,
          skip: skip || undefined,
        })}`,
        signal,
      ),
    filters,
    5000,
    true,
  );
  const change =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      setSkip(0);
      set(v);
    };
  return (
    <div>
      <PageTitle title="Events" />
      <form class="filters" role="search" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
        <label>
          Kind
          <input
            value={kind}
            placeholder="app.deploy"
            onChange={(e) => change(setKind)((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Target type
          <select
            value={targetType}
            onChange={(e) => change(setTargetType)((e.target as HTMLSelectElement).value)}
          >
            <option value="">any</option>
            {[
              "app",
              "node",
              "pool",
              "team",
              "platform",
              "plan",
              "user",
              "role",
              "service-instance",
              "container",
            ].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Target
          <input
            value={targetValue}
            placeholder="name"
            onChange={(e) => change(setTargetValue)((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          Owner
          <input
            value={owner}
            placeholder="email"
            onChange={(e) => change(setOwner)((e.target as HTMLInputElement).value)}
          />
        </label>
        <label class="check">
          <span>
            <input
              type="checkbox"
              checked={running}
              onChange={(e) => change(setRunning)((e.target as HTMLInputElement).checked)}
            />{" "}
            Running only
          </span>
        </label>
        <label class="check">
          <span>
            <input
              type="checkbox"
              checked={errorOnly}
              onChange={(e) => change(setErrorOnly)((e.target as HTMLInputElement).checked)}
            />{" "}
            Failed only
          </span>
        </label>
      </form>
      {events.loading && !events.data ? <Loading what="events" /> : null}
      <ErrorText error={events.error} />
      {events.data?.length === 0 ? <Empty title={skip ? "No more events." : "No events match."} /> : null}
      {events.data?.length ? (
        <Table caption="Events, newest first" head={["Kind", "Target", "Owner", "Started", "Result"]}>
          {events.data.map((e) => (
            <tr key={e.UniqueID}>
              <th scope="row">
                <a href={href(`/events/${e.UniqueID}`)}>{e.Kind.Name}</a>
              </th>
              <td>
                {e.Target.Type} {e.Target.Value}
              </td>
              <td>{e.Owner.Name}</td>
              <td title={dateTime(e.StartTime)}>{ago(e.StartTime)}</td>
              <td>
                <Badge status={eventStatus(e)} />
                {e.Error ? <span class="muted"> {e.Error.slice(0, 120)}</span> : null}
              </td>
            </tr>
          ))}
        </Table>
      ) : null}
      <div class="button-row">
        {skip > 0 ? (
          <button type="button" onClick={() => setSkip(Math.max(0, skip - PAGE))}>
            Newer events
          </button>
        ) : null}
        {events.data?.length === PAGE ? (
          <button type="button" onClick={() => setSkip(skip + PAGE)}>
            Older events
          </button>
        ) : null}
      </div>
    </div>
  );
}
