// Latency histograms with logarithmic buckets: 8 buckets per doubling from 1 µs, so a
// bucket spans 9% and a percentile read from it (the bucket's geometric middle) is within
// ±4.5% of the true value, from 1 µs to beyond a minute. Routers count into one of these per
// app and step (one Math.log2 and an array increment per request, no allocation); merging the
// routers' histograms of a step is adding arrays, which p50/p99 of averages could not do.
// No imports: the router's hot path loads this file.

/** Buckets per doubling. */
const PER_OCTAVE = 8;
/** 2^(208/8) µs ≈ 67 s: slower requests share the last bucket. */
export const LATENCY_BUCKETS = 208;

/** The bucket of a duration in seconds. */
export function latencyBucket(seconds: number): number {
  const us = seconds * 1e6;
  if (!(us > 1)) return 0;
  const i = Math.floor(Math.log2(us) * PER_OCTAVE);
  return i < LATENCY_BUCKETS ? i : LATENCY_BUCKETS - 1;
}

/** The value a bucket stands for, in milliseconds (its geometric middle). */
export function bucketMs(i: number): number {
  return 2 ** ((i + 0.5) / PER_OCTAVE) / 1000;
}

/** A histogram as stored and sent: [bucket, count] pairs for the non-empty buckets. */
export type SparseHistogram = Array<[number, number]>;

export function toSparse(counts: ArrayLike<number>): SparseHistogram {
  const out: SparseHistogram = [];
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) out.push([i, counts[i]!]);
  return out;
}

/** Adds a sparse histogram into `into` (ignoring pairs that are not bucket/count numbers). */
export function addSparse(into: Float64Array, h: SparseHistogram): void {
  for (const pair of h) {
    if (!Array.isArray(pair)) continue;
    const [i, n] = pair;
    if (Number.isInteger(i) && i >= 0 && i < into.length && Number.isFinite(n) && n > 0) into[i]! += n;
  }
}

/**
 * The q-quantile (0 < q ≤ 1) in milliseconds: the value of the bucket holding the request of
 * rank ceil(q × count), so p50 of [1, 2, 3] is the bucket of 2 and p99 of 100 requests is the
 * bucket of the 99th slowest-but-one. Undefined for an empty histogram.
 */
export function quantileMs(counts: ArrayLike<number>, q: number): number | undefined {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total <= 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let acc = 0;
  for (let i = 0; i < counts.length; i++) {
    acc += counts[i]!;
    if (acc >= rank) return bucketMs(i);
  }
  return bucketMs(counts.length - 1);
}
