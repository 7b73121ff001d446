import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CrashBackoff } from "../../../../src/provision/docker/heal/backoff.js";

const policy = { baseMs: 1000, maxMs: 5000, resetAfterMs: 60_000 };
const exit = { reason: "exited with code 3", exitCode: 3 };

describe("crash-loop backoff", () => {
  it("waits base, then doubles after each failed replacement, capped at the maximum", () => {
    const b = new CrashBackoff(policy);
    let now = 0;
    b.down("u", now, "exited", 3);
    assert.equal(b.due("u", now + 999), false);
    assert.equal(b.due("u", now + 1000), true);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      now = b.get("u")!.notBefore;
      b.attempted("u", "u", now, false, exit);
      waits.push(b.get("u")!.notBefore - now);
    }
    assert.deepEqual(waits, [2000, 4000, 5000, 5000, 5000]);
    assert.equal(b.get("u")!.restarts, 5);
    assert.equal(b.get("u")!.lastExitCode, 3);
  });

  it("a successful replacement carries the count to the new unit, and its crash waits the grown delay", () => {
    const b = new CrashBackoff(policy);
    b.down("old", 0, "exited", 1);
    b.attempted("old", "new", 1000, true, exit);
    assert.equal(b.get("old"), undefined);
    assert.equal(b.get("new")!.restarts, 1);
    b.down("new", 3000, "exited", 3);
    assert.equal(b.due("new", 4999), false);
    assert.equal(b.due("new", 5000), true);
  });

  it("seeing a down unit again keeps its schedule instead of pushing it back", () => {
    const b = new CrashBackoff(policy);
    b.down("u", 0, "exited", 1);
    b.down("u", 900, "exited", 1);
    assert.equal(b.due("u", 1000), true);
  });

  it("forgets a unit that stayed up for the reset time, not before", () => {
    const b = new CrashBackoff(policy);
    b.down("u", 0, "exited", 1);
    b.attempted("u", "u", 1000, true, exit);
    b.running("u", 1000 + 59_999);
    assert.ok(b.get("u"));
    b.running("u", 1000 + 60_000);
    assert.equal(b.get("u"), undefined);
  });

  it("forgets units no longer in the store", () => {
    const b = new CrashBackoff(policy);
    b.down("a", 0, "x", null);
    b.down("b", 0, "x", null);
    b.forgetExcept(new Set(["b"]));
    assert.equal(b.get("a"), undefined);
    assert.ok(b.get("b"));
  });

  it("a slot first seen with a streak of replacements (server restart mid-loop) waits the grown delay", () => {
    const b = new CrashBackoff(policy);
    b.down("u", 0, "exited", 3, 2);
    assert.equal(b.get("u")!.restarts, 2);
    assert.equal(b.due("u", 3999), false);
    assert.equal(b.due("u", 4000), true);
    b.down("v", 0, "exited", 3, 50);
    assert.equal(b.get("v")!.delayMs, 5000, "capped at the maximum");
  });

  it("rejects a policy whose maximum is below its base", () => {
    assert.throws(() => new CrashBackoff({ baseMs: 10, maxMs: 5, resetAfterMs: 0 }), /base/);
  });
});
