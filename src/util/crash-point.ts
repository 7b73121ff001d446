// TEST-ONLY: kill -9 of the server at a named step, so crash tests hit each step
// deterministically (test/e2e/unit-add-crash.test.ts). Off unless WHARF_TEST_CRASH_AT
// names a step (read in src/config/config.ts, armed by the server at start-up); a server
// never sets it on its own. Steps: intent-recorded (a unit operation's intent committed),
// container-created (a new unit's container runs, before it is switched in),
// route-published (new units switched in by a convergence).
let armed = "";

export function armCrashPoint(step: string): void {
  armed = step;
}

/** SIGKILLs this process when `step` is the armed one. */
export function crashPoint(step: string): void {
  if (armed && armed === step) process.kill(process.pid, "SIGKILL");
}
