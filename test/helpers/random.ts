/**
 * mulberry32, a small, well-known 32-bit PRNG: the same seed gives the same
 * draws on every run and machine, so randomised tests and the fixtures drawn
 * with it (entities/politics-sample.json) are reproducible.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
