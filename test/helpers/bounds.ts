// Range checks for a figure read from two sources at about the same moment (ctrstat and the kernel
// files, or ctrstat and Docker's stats). Every operand must be a finite number first: a field missing
// on one side makes NaN, and NaN compares false with everything, so a bare range check would pass.

function finite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`${what} is ${String(value)}, not a finite number`);
  return value;
}

type Maybe = number | null | undefined;

/** value lies between a and b (in either order), widened by a relative slack (0.01 is 1 %). */
export function expectBetween(value: Maybe, a: Maybe, b: Maybe, what: string, slack = 0): void {
  const v = finite(value, what);
  const [x, y] = [finite(a, `${what}: first bound`), finite(b, `${what}: second bound`)];
  const lo = Math.min(x, y) * (1 - slack);
  const hi = Math.max(x, y) * (1 + slack);
  if (v < lo || v > hi) throw new Error(`${what}: ${v} is outside [${lo}, ${hi}]`);
}

/** value differs from expected by at most percent % of expected. */
export function expectWithinPercent(value: Maybe, expected: Maybe, percent: number, what: string): void {
  const v = finite(value, what);
  const e = finite(expected, `${what}: expected value`);
  if (Math.abs(v - e) > (Math.abs(e) * percent) / 100)
    throw new Error(`${what}: ${v} differs from ${e} by more than ${percent}%`);
}
