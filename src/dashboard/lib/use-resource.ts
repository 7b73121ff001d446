// Data from the API for a view: loading, the API's sentence on failure, reload after an
// action (so the view shows the API's answer, never a guess), and an optional poll while the
// page is visible (units, nodes and events change in the background).
import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../api/client";

export interface Resource<T> {
  data: T | undefined;
  error: string;
  loading: boolean;
  reload(): Promise<void>;
}

export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  pollMs = 0,
  /** Keep showing the last answer while a new one loads (a filter changed, the same thing). */
  keep = false,
): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(true);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async (signal?: AbortSignal) => {
    const n = ++seq.current;
    const ac = new AbortController();
    signal?.addEventListener("abort", () => ac.abort(), { once: true });
    try {
      const v = await loadRef.current(ac.signal);
      if (n !== seq.current || ac.signal.aborted) return;
      setData(v);
      setError("");
    } catch (e) {
      if (n !== seq.current || ac.signal.aborted || (e as Error).name === "AbortError") return;
      setError(errorText(e));
    } finally {
      if (n === seq.current) setLoading(false);
    }
  }, []);

  // A layout effect starts the request as soon as the view is in the DOM; a plain effect
  // would wait for the next frame, which a busy machine delays by hundreds of ms.
  useLayoutEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    if (!keep) setData(undefined);
    setError("");
    void run(ac.signal);
    let timer: ReturnType<typeof setInterval> | undefined;
    if (pollMs > 0)
      timer = setInterval(() => {
        if (document.visibilityState === "visible") void run(ac.signal);
      }, pollMs);
    return () => {
      ac.abort();
      seq.current++;
      if (timer) clearInterval(timer);
    };
  }, deps);

  return { data, error, loading, reload: () => run() };
}
