// Cancelling a running deploy through its event, as tsuru's client does on Ctrl-C
// (reference §4.7 step 5): POST /1.1/events/{id}/cancel with a JSON reason. The id is
// the X-Tsuru-Eventid header of the deploy answer; before that header has arrived, the
// app's running app.deploy event is looked up.
import { query, type ApiClient } from "../client/http.js";
import { field, str } from "../output.js";

export const CANCEL_REASON = "Canceled on client.";

/** The id of the app's running deploy event, newest first; undefined when none runs. */
export async function findRunningDeploy(api: ApiClient, app: string): Promise<string | undefined> {
  const q = query({ kindname: "app.deploy", running: "true", "target.type": "app", "target.value": app });
  const events = (await api.getJson<unknown[]>("GET", `/events${q}`, { version: "1.1" })) ?? [];
  const running = events.find((ev) => field(ev, "Running") !== false && str(ev, "UniqueID"));
  return running ? str(running, "UniqueID") : undefined;
}

export async function cancelEvent(api: ApiClient, id: string): Promise<void> {
  await api.send("POST", `/events/${id}/cancel`, { version: "1.1", json: { reason: CANCEL_REASON } });
}
