// A pool's effective healer settings: its own, else those of pool "", else the server's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { effectiveHealing, healingView } from "../../../src/domain/healing.js";
import type { PoolHealingRecord } from "../../../src/store/types.js";

const defaults = { enabled: true, maxUnresponsiveSeconds: 3, maxSinceSuccessSeconds: 3 };
const rec = (pool: string, o: Partial<PoolHealingRecord>): PoolHealingRecord => ({
  pool,
  enabled: null,
  maxUnresponsiveSeconds: null,
  maxSinceSuccessSeconds: null,
  updatedAt: new Date(0),
  ...o,
});

test("with nothing stored every pool runs with the server's defaults, inherited", () => {
  const r = effectiveHealing("p1", [], defaults);
  assert.deepEqual(
    { enabled: r.enabled, u: r.maxUnresponsiveSeconds, s: r.maxSinceSuccessSeconds },
    { enabled: true, u: 3, s: 3 },
  );
  assert.deepEqual(r.inherited, {
    enabled: true,
    maxUnresponsiveSeconds: true,
    maxSinceSuccessSeconds: true,
  });
  assert.deepEqual(effectiveHealing("", [], defaults).inherited, {
    enabled: false,
    maxUnresponsiveSeconds: false,
    maxSinceSuccessSeconds: false,
  });
});

test("a pool's own value wins; pool '' fills what it leaves out", () => {
  const records = [rec("", { maxUnresponsiveSeconds: 60 }), rec("p1", { enabled: false })];
  const r = effectiveHealing("p1", records, defaults);
  assert.equal(r.enabled, false);
  assert.equal(r.inherited.enabled, false);
  assert.equal(r.maxUnresponsiveSeconds, 60);
  assert.equal(r.inherited.maxUnresponsiveSeconds, true);
  assert.equal(r.maxSinceSuccessSeconds, 3);
  assert.deepEqual(healingView(r), {
    Enabled: false,
    MaxTimeSinceSuccess: 3,
    MaxUnresponsiveTime: 60,
    EnabledInherited: false,
    MaxTimeSinceSuccessInherited: true,
    MaxUnresponsiveTimeInherited: true,
  });
  assert.equal(effectiveHealing("p2", records, defaults).maxUnresponsiveSeconds, 60);
});
