// A small seeded PRNG so the random strategy (and benchmarks, property tests) stay
// reproducible: the scheduler never calls Math.random itself.
export type Rng = () => number;

/** mulberry32: 32-bit state, uniform in [0, 1). */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
