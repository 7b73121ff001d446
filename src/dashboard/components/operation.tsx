// A long operation the API streams (scale, restart, env set, rollback, platform build...):
// its lines as they come, a running state, then done or the API's sentence; `after` runs
// once it ends so the page reloads what the operation changed.
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../api/client";

export type OpState = "idle" | "running" | "done" | "failed";

export interface Operation {
  state: OpState;
  title: string;
  output: string;
  error: string;
  /** The form that started it shows the error next to its field ("" = shown here). */
  owner: string;
  run(title: string, fn: (say: (text: string) => void) => Promise<void>, owner?: string): Promise<boolean>;
  clear(): void;
}

export function useOperation(after?: () => unknown): Operation {
  const [state, setState] = useState<OpState>("idle");
  const [title, setTitle] = useState("");
  const [output, setOutput] = useState("");
  const [error, setError] = useState("");
  const [owner, setOwner] = useState("");
  const running = useRef(false);
  return {
    state,
    title,
    output,
    error,
    owner,
    async run(t, fn, who = "") {
      if (running.current) return false;
      running.current = true;
      setOwner(who);
      setTitle(t);
      setOutput("");
      setError("");
      setState("running");
      let ok = false;
      try {
        await fn((text) => setOutput((o) => o + text));
        setState("done");
        ok = true;
      } catch (e) {
        setError(errorText(e));
        setState("failed");
      } finally {
        running.current = false;
        await after?.();
      }
      return ok;
    },
    clear() {
      setState("idle");
      setOutput("");
      setError("");
    },
  };
}

/** Keeps a scrolling log pinned to its end while new text arrives (unless scrolled up). */
export function LogView({ text, label, id }: { text: string; label: string; id?: string }) {
  const ref = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <pre
      ref={ref}
      id={id}
      class="log"
      tabIndex={0}
      aria-label={label}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
      }}
    >
      {text}
    </pre>
  );
}

export function OperationView({ op }: { op: Operation }) {
  if (op.state === "idle") return null;
  const status =
    op.state === "running"
      ? `${op.title}…`
      : op.state === "done"
        ? `${op.title}: done.`
        : `${op.title}: failed.`;
  return (
    <div class={`operation operation-${op.state}`}>
      <p class="operation-status" role="status">
        {op.state === "running" ? <span class="spinner" aria-hidden="true" /> : null}
        {status}
        {op.state !== "running" ? (
          <button type="button" class="link" onClick={() => op.clear()}>
            Dismiss
          </button>
        ) : null}
      </p>
      {op.output ? <LogView text={op.output} label={`Output of: ${op.title}`} /> : null}
      {op.error && !op.owner ? (
        <p class="error" role="alert">
          {op.error}
        </p>
      ) : null}
    </div>
  );
}
