// `wharf app metrics` output: sparklines squeeze the hour into fixed columns (means per
// column, gaps as spaces, scaled between the series' own min and max), figures are compact,
// and the table has a row per series with last, mean and max.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compact, sparkline } from "../../../src/cli/sparkline.js";
import { renderMetrics } from "../../../src/cli/commands/app-metrics.js";

const T = 1_700_000_000;

test("a sparkline has one column per step up to its width, gaps as spaces, lowest and highest bars at the extremes", () => {
  assert.equal(
    sparkline(
      [
        [T, 0],
        [T + 10, 5],
        [T + 30, 10],
      ],
      T,
      T + 30,
      30,
    ),
    "▁▅ █",
  );
  assert.equal(sparkline([], T, T + 30, 30), "    ");
  assert.equal(
    sparkline(
      [
        [T, 3],
        [T + 10, 3],
      ],
      T,
      T + 10,
      30,
    ),
    "▄▄",
  );
  assert.equal(sparkline([[T, 0]], T, T, 30), "▁");
});

test("a long series is squeezed: each column is the mean of its steps", () => {
  // 360 steps in 30 columns = 12 steps each; the second half of the hour is busy.
  const pts: Array<[number, number]> = Array.from({ length: 360 }, (_, i) => [T + i * 10, i < 180 ? 1 : 9]);
  const s = sparkline(pts, T, T + 3590, 30);
  assert.equal(s.length, 30);
  assert.equal(s, "▁".repeat(15) + "█".repeat(15));
  // Points outside the period and non-finite values are ignored.
  assert.equal(
    sparkline(
      [
        [T - 10, 100],
        [T, 1],
        [T + 10, Number.NaN],
      ],
      T,
      T + 10,
      30,
    ),
    "▄ ",
  );
});

test("compact figures: significant digits, k/M/G, binary units for bytes", () => {
  assert.equal(compact(undefined), "-");
  assert.equal(compact(42), "42");
  assert.equal(compact(3.14159, "%"), "3.14%");
  assert.equal(compact(12_345), "12.3k");
  assert.equal(compact(2_500_000, "/s"), "2.50M/s");
  assert.equal(compact(512, "B"), "512 B");
  assert.equal(compact(3 * 1024 * 1024, "B"), "3.00 MiB");
});

test("the table shows a row per series with last, mean and max, router series marked as such", () => {
  const out = renderMetrics(
    {
      step: 10,
      series: [
        {
          name: "requests",
          process: "web",
          unit: "",
          points: [
            [T, 10],
            [T + 10, 30],
          ],
        },
        {
          name: "memory_bytes",
          process: "web",
          unit: "web-web-0123abcd",
          points: [[T + 10, 2 * 1024 * 1024]],
        },
      ],
    },
    T + 15,
  );
  assert.match(out, /requests\s+\| web\s+\| \(router\)\s+\| 30\/s\s+\| 20\/s\s+\| 30\/s\s+\| ▁█/);
  assert.match(out, /memory_bytes \| web\s+\| web-web-0123abcd \| 2.00 MiB/);
  assert.match(out, /Last 1 min/);
  assert.match(renderMetrics({ step: 10, series: [] }, T), /No metrics yet/);
});
