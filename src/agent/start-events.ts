// Docker's /events stream, filtered to container starts, is one JSON object per line; both
// log sources (the agent's raw socket and the server's engine adapter) read it here. No
// imports: the agent image carries this file as it is.

/** Calls onStart with each started container's ID until the stream ends. */
export async function readStartEvents(
  chunks: AsyncIterable<Buffer | string>,
  onStart: (id: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of chunks) {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (!line) continue;
      try {
        const e = JSON.parse(line) as { id?: string; Actor?: { ID?: string } };
        const id = e.id ?? e.Actor?.ID;
        if (id) onStart(id);
      } catch {
        // A line that is not an event (a proxy's noise, a cut line): ignore it.
      }
    }
  }
}
