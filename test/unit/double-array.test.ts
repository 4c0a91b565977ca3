import { describe, expect, it } from 'vitest';
import { doubleArray } from '../../lib/io/double-array.js';

describe('doubleArray', () => {
  it('gives zeros of the length asked, each array its own, past the template too', () => {
    for (const length of [0, 1, 24, 256, 257, 1000]) {
      const a = doubleArray(length);
      expect(a).toHaveLength(length);
      expect(a.every((x) => x === 0)).toBe(true);
    }
    const a = doubleArray(8);
    const b = doubleArray(8);
    a[0] = 2 ** 40;
    a[7] = 0.25;
    expect(b).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(a[0]).toBe(2 ** 40);
    expect(doubleArray(8)[0]).toBe(0);
  });
});
