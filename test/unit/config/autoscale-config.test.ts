// The autoscale loop's settings from the environment: defaults, the e2e's short window, and a
// sentence naming the variable for a value that makes no sense.
import assert from "node:assert/strict";
import { it } from "node:test";
import { autoscaleSettings } from "../../../src/config/autoscale-config.js";
import { DEFAULT_AUTOSCALE } from "../../../src/config/autoscale-config.js";

it("without variables the loop decides every 10 s with a 5 min stabilisation window", () => {
  assert.deepEqual(autoscaleSettings({}), DEFAULT_AUTOSCALE);
  assert.deepEqual(DEFAULT_AUTOSCALE, { enabled: true, intervalMs: 10_000, stabilizationMs: 300_000 });
});

it("the variables set the interval, the window and turn the loop off", () => {
  assert.deepEqual(
    autoscaleSettings({
      WHARF_AUTOSCALE: "off",
      WHARF_AUTOSCALE_INTERVAL_MS: "2000",
      WHARF_AUTOSCALE_STABILIZATION_MS: "30000",
    }),
    { enabled: false, intervalMs: 2000, stabilizationMs: 30_000 },
  );
});

it("a bad value is refused with a sentence naming the variable", () => {
  assert.throws(
    () => autoscaleSettings({ WHARF_AUTOSCALE: "maybe" }),
    /WHARF_AUTOSCALE=maybe is not valid: use on or off/,
  );
  assert.throws(
    () => autoscaleSettings({ WHARF_AUTOSCALE_INTERVAL_MS: "10" }),
    /WHARF_AUTOSCALE_INTERVAL_MS=10 is not valid: give a whole number of milliseconds >= 500/,
  );
  assert.throws(
    () => autoscaleSettings({ WHARF_AUTOSCALE_STABILIZATION_MS: "5m" }),
    /WHARF_AUTOSCALE_STABILIZATION_MS=5m is not valid/,
  );
});
