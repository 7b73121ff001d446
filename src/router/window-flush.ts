// Hands a router's per-app windows on at every 10 s boundary: what was counted since the last
// boundary belongs to the step that just ended. A timer per process, not per request.
import { STEP_S, msToNextStep } from "../util/steps.js";
import type { AppWindow } from "./metrics.js";

export type WindowSink = (stepTs: number, windows: AppWindow[]) => void;

export function startWindowFlush(take: () => AppWindow[], sink: WindowSink): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const next = () => {
    timer = setTimeout(() => {
      if (stopped) return;
      const boundary = Math.round(Date.now() / 1000 / STEP_S) * STEP_S;
      const windows = take();
      if (windows.length) sink(boundary - STEP_S, windows);
      next();
    }, msToNextStep(Date.now()));
    timer.unref();
  };
  next();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
