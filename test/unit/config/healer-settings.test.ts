import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_HEALER, healerSettingsFromEnv } from "../../../src/config/healer.js";

describe("healer settings", () => {
  it("defaults: on, a pass every 3 s, backoff 1 s doubling to 5 min", () => {
    assert.deepEqual(healerSettingsFromEnv({}), DEFAULT_HEALER);
    assert.equal(DEFAULT_HEALER.backoff.maxMs, 300_000);
  });

  it("reads the variables", () => {
    const s = healerSettingsFromEnv({
      WHARF_HEALER: "off",
      WHARF_HEAL_INTERVAL_MS: "500",
      WHARF_HEAL_BACKOFF_BASE_MS: "200",
      WHARF_HEAL_BACKOFF_MAX_MS: "1000",
      WHARF_HEAL_BACKOFF_RESET_MS: "0",
    });
    assert.deepEqual(s, {
      enabled: false,
      intervalMs: 500,
      backoff: { baseMs: 200, maxMs: 1000, resetAfterMs: 0 },
    });
  });

  it("a bad value names the variable and what to give", () => {
    assert.throws(
      () => healerSettingsFromEnv({ WHARF_HEAL_INTERVAL_MS: "fast" }),
      /WHARF_HEAL_INTERVAL_MS=fast .*milliseconds >= 100/,
    );
    assert.throws(() => healerSettingsFromEnv({ WHARF_HEAL_INTERVAL_MS: "10" }), /WHARF_HEAL_INTERVAL_MS/);
    assert.throws(() => healerSettingsFromEnv({ WHARF_HEALER: "maybe" }), /WHARF_HEALER=maybe .*on or off/);
    assert.throws(
      () => healerSettingsFromEnv({ WHARF_HEAL_BACKOFF_BASE_MS: "5000", WHARF_HEAL_BACKOFF_MAX_MS: "1000" }),
      /WHARF_HEAL_BACKOFF_MAX_MS/,
    );
  });
});
