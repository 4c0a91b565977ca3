// Plain arrays of numbers that keep kernel counters unboxed from the start.
//
// `new Array(n)` makes an array of small integers; the first counter over 2^30 (most byte counts) turns it into
// an array of doubles, which copies it, and `[]` grown by push copies it as it grows. A copy of a template that
// already holds doubles is one allocation of the final size, and it is no typed array (a small typed array
// brings an ArrayBuffer of its own, which the collector tracks apart).

/** Doubles, so that its copies are too (fill keeps the kind that 0.5 gave it). */
const ZEROS: number[] = new Array<number>(256).fill(0.5).fill(0);

/** A new array of `length` zeros whose elements are stored as doubles. */
export function doubleArray(length: number): number[] {
  if (length <= ZEROS.length) return ZEROS.slice(0, length);
  return new Array<number>(length).fill(0.5).fill(0);
}
