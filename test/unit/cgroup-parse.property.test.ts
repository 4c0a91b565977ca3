// Properties of the cgroup file parsers (lib/cgroup/parse.ts) over the addon's own tokenizer: what the
// kernel writes round-trips, "max" and v1's unlimited forms become null, and any text at all is either
// parsed into numbers that are never NaN or refused with a CgroupFormatError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as parse from '../../lib/cgroup/parse.js';
import { CgroupFormatError } from '../../lib/errors.js';
import { tokenizeText } from '../../lib/io/tokens.js';

const RUNS = { numRuns: 1000 };

const PARSERS = {
  parseSingleValue: (text: string) => parse.parseSingleValue(tokenizeText(text)),
  parseCounter: (text: string) => parse.parseCounter(tokenizeText(text)),
  parseIntegerList: (text: string) => parse.parseIntegerList(tokenizeText(text)),
  parseFlatKeyed: (text: string) => parse.parseFlatKeyed(tokenizeText(text)).record(),
  parseNestedKeyed: (text: string) => parse.parseNestedKeyed(tokenizeText(text)),
  parseIoStat: (text: string) => parse.parseIoStat(tokenizeText(text)),
  parseBlkioV1: (text: string) => parse.parseBlkioV1(tokenizeText(text)),
  parsePressure: (text: string) => parse.parsePressure(tokenizeText(text)),
  parseCpuList: (text: string) => parse.parseCpuList(tokenizeText(text)),
  parseMemoryLimitV1: (text: string) => parse.parseMemoryLimitV1(tokenizeText(text)),
  parseCfsQuotaV1: (text: string) => parse.parseCfsQuotaV1(tokenizeText(text)),
  parseCpuMax: (text: string) => parse.parseCpuMax(tokenizeText(text)),
};

function hasNaN(value: unknown): boolean {
  if (typeof value === 'number') return Number.isNaN(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value as Record<string, unknown>).some(hasNaN);
}

const word = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_'), minLength: 1, maxLength: 16 });
const count = fc.maxSafeNat();
/** A decimal as the kernel prints PSI averages and io.stat's cost figures: two places. */
const decimal = fc.integer({ min: 0, max: 1_000_000 }).map((n) => (n / 100).toFixed(2));
/** Text made of what cgroup files are made of, in any order, and arbitrary text. */
const cgroupText = fc.oneof(
  fc
    .array(
      fc.string({
        unit: fc.constantFrom(
          '0',
          '7',
          '9',
          '-1',
          '.',
          '=',
          ':',
          ' ',
          '\n',
          'max',
          'some',
          'full',
          'avg10',
          'total',
          'Read',
          'Total',
          'x',
          '\t',
          'e',
          '+',
          '18446744073709551615',
        ),
        maxLength: 40,
      }),
      { maxLength: 8 },
    )
    .map((lines) => lines.join('\n')),
  fc.string({ maxLength: 300 }),
);

describe('every cgroup parser, on any text', () => {
  it('gives numbers that are never NaN, or throws a CgroupFormatError, nothing else', () => {
    fc.assert(
      fc.property(cgroupText, (text) => {
        for (const [name, parser] of Object.entries(PARSERS)) {
          let result: unknown;
          try {
            result = parser(text);
          } catch (err) {
            expect(err, `${name}(${JSON.stringify(text)})`).toBeInstanceOf(CgroupFormatError);
            continue;
          }
          expect(hasNaN(result), `${name}(${JSON.stringify(text)}) = ${JSON.stringify(result)}`).toBe(false);
        }
      }),
      RUNS,
    );
  });
});

describe('single values and limits', () => {
  it('an integer round-trips, with or without its newline; "max" is null', () => {
    fc.assert(
      fc.property(count, fc.constantFrom('', '\n'), (n, end) => {
        expect(PARSERS.parseSingleValue(`${n}${end}`)).toBe(n);
        expect(PARSERS.parseCounter(`${n}${end}`)).toBe(n);
        expect(PARSERS.parseSingleValue(`max${end}`)).toBeNull();
        expect(() => PARSERS.parseCounter(`max${end}`)).toThrow(CgroupFormatError);
      }),
      RUNS,
    );
  });

  it('v1 memory limits at or above LONG_MAX rounded to any page size are unlimited (null), those below are bytes', () => {
    const unlimited = fc.bigInt({ min: BigInt(parse.V1_UNLIMITED_MEMORY), max: 2n ** 63n - 1n });
    fc.assert(
      fc.property(unlimited, fc.integer({ min: 0, max: 2 ** 52 }), (big, bytes) => {
        expect(PARSERS.parseMemoryLimitV1(`${big}\n`)).toBeNull();
        expect(PARSERS.parseMemoryLimitV1(`${bytes}\n`)).toBe(bytes);
      }),
      RUNS,
    );
    expect(PARSERS.parseMemoryLimitV1('9223372036854771712\n')).toBeNull();
  });

  it('a negative CFS quota is no quota (null); cpu.max "max P" is none with period P', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: -1 }), count, count, (negative, quota, period) => {
        expect(PARSERS.parseCfsQuotaV1(`${negative}\n`)).toBeNull();
        expect(PARSERS.parseCfsQuotaV1(`${quota}\n`)).toBe(quota);
        expect(PARSERS.parseCpuMax(`max ${period}\n`)).toEqual({ quotaUs: null, periodUs: period });
        expect(PARSERS.parseCpuMax(`${quota} ${period}\n`)).toEqual({ quotaUs: quota, periodUs: period });
      }),
      RUNS,
    );
  });

  it('a cpu list counts its CPUs', () => {
    const range = fc.tuple(fc.nat(4096), fc.nat(64)).map(([first, extra]) => ({ first, last: first + extra }));
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 8 }), (ranges) => {
        const text = ranges.map(({ first, last }) => (first === last ? `${first}` : `${first}-${last}`)).join(',');
        const expected = ranges.reduce((sum, { first, last }) => sum + last - first + 1, 0);
        expect(PARSERS.parseCpuList(`${text}\n`)).toBe(expected);
      }),
      RUNS,
    );
  });
});

describe('keyed files', () => {
  it('flat-keyed `key value` lines round-trip, in order, and get() finds each', () => {
    fc.assert(
      fc.property(fc.dictionary(word, count, { maxKeys: 40 }), (record) => {
        const text = Object.entries(record)
          .map(([key, value]) => `${key} ${value}\n`)
          .join('');
        const parsed = parse.parseFlatKeyed(tokenizeText(text));
        expect(parsed.record()).toEqual(record);
        for (const [key, value] of Object.entries(record)) expect(parsed.get(key)).toBe(value);
        expect(parsed.detached().record()).toEqual(record);
      }),
      RUNS,
    );
  });

  it('nested-keyed `KEY k=v ...` lines round-trip (decimals included)', () => {
    const inner = fc.dictionary(word, fc.oneof(count.map(String), decimal), { minKeys: 1, maxKeys: 6 });
    fc.assert(
      fc.property(fc.dictionary(word, inner, { maxKeys: 8 }), (nested) => {
        const text = Object.entries(nested)
          .map(
            ([key, pairs]) =>
              `${key} ${Object.entries(pairs)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}\n`,
          )
          .join('');
        const expected = Object.fromEntries(
          Object.entries(nested).map(([key, pairs]) => [
            key,
            Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, Number(v)])),
          ]),
        );
        expect(PARSERS.parseNestedKeyed(text)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('a key named __proto__ is an own entry like any other, never the prototype', () => {
    const nested = PARSERS.parseNestedKeyed('__proto__ polluted=1\n8:0 __proto__=2\n');
    expect(Object.getOwnPropertyNames(nested)).toEqual(['__proto__', '8:0']);
    expect(Object.getOwnPropertyDescriptor(nested, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(Object.getOwnPropertyDescriptor(nested['8:0'], '__proto__')?.value).toBe(2);
    expect(PARSERS.parseIoStat('8:0 rbytes=1 __proto__=3\n')[0]?.counters).toHaveProperty(['__proto__'], 3);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('PSI lines round-trip: averages as written, total from µs to ns; a file without "some" is refused', () => {
    const line = fc.record({ avg10: decimal, avg60: decimal, avg300: decimal, total: fc.nat(2 ** 42) });
    fc.assert(
      fc.property(line, fc.option(line, { nil: null }), (some, full) => {
        const write = (kind: string, l: typeof some) =>
          `${kind} avg10=${l.avg10} avg60=${l.avg60} avg300=${l.avg300} total=${l.total}\n`;
        const read = (l: typeof some) => ({
          avg10: Number(l.avg10),
          avg60: Number(l.avg60),
          avg300: Number(l.avg300),
          totalNs: l.total * 1000,
        });
        const text = write('some', some) + (full === null ? '' : write('full', full));
        expect(PARSERS.parsePressure(text)).toEqual({ some: read(some), full: full === null ? null : read(full) });
        if (full !== null) expect(() => PARSERS.parsePressure(write('full', full))).toThrow(CgroupFormatError);
      }),
      RUNS,
    );
  });

  it('v1 blkio `MAJ:MIN Op value` lines round-trip, the closing Total left out', () => {
    const entry = fc.record({
      major: fc.nat(4095),
      minor: fc.nat(1_048_575),
      op: fc.constantFrom('Read', 'Write', 'Sync', 'Async', 'Discard', 'Total'),
      value: count,
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), count, (entries, total) => {
        const text = `${entries.map((e) => `${e.major}:${e.minor} ${e.op} ${e.value}\n`).join('')}Total ${total}\n`;
        expect(PARSERS.parseBlkioV1(text)).toEqual(entries);
      }),
      RUNS,
    );
  });
});
