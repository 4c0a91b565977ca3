import { pageSizeName } from '../../lib/cgroup/hugetlb.js';
import { describe, expect, it } from 'vitest';
import * as parse from '../../lib/cgroup/parse.js';
import { cpuLimitCores } from '../../lib/cgroup/parse.js';
import { fileTokens, tokenizeText, tokenizeTexts } from '../../lib/io/tokens.js';
import { CgroupFormatError } from '../../lib/errors.js';

// The parsers read tokens: each string is tokenized by the addon as a file's content would be.
const parseSingleValue = (text: string) => parse.parseSingleValue(tokenizeText(text));
const parseCounter = (text: string) => parse.parseCounter(tokenizeText(text));
const parseIntegerList = (text: string) => parse.parseIntegerList(tokenizeText(text));
const parseFlatKeyed = (text: string) => parse.parseFlatKeyed(tokenizeText(text)).record();
const parseNestedKeyed = (text: string) => parse.parseNestedKeyed(tokenizeText(text));
const parseBlkioV1 = (text: string) => parse.parseBlkioV1(tokenizeText(text));
const parseIoStat = (text: string) => parse.parseIoStat(tokenizeText(text));
const parsePressure = (text: string) => parse.parsePressure(tokenizeText(text));
const parseCpuList = (text: string) => parse.parseCpuList(tokenizeText(text));
const parseMemoryLimitV1 = (text: string) => parse.parseMemoryLimitV1(tokenizeText(text));
const parseCfsQuotaV1 = (text: string) => parse.parseCfsQuotaV1(tokenizeText(text));
const parseCpuMax = (text: string) => parse.parseCpuMax(tokenizeText(text));

describe('parseSingleValue', () => {
  it('reads an integer with or without the trailing newline', () => {
    expect(parseSingleValue('67108864\n')).toBe(67108864);
    expect(parseSingleValue('50')).toBe(50);
  });
  it('turns "max" into null', () => {
    expect(parseSingleValue('max\n')).toBeNull();
  });
  it('rejects empty, decimal and word content', () => {
    for (const text of ['', '\n', '1.5', 'unlimited', '12 34']) {
      expect(() => parseSingleValue(text)).toThrow(CgroupFormatError);
    }
  });
});

describe('parseCounter / parseIntegerList', () => {
  it('refuses "max" where a count is due', () => {
    expect(parseCounter('7\n')).toBe(7);
    expect(() => parseCounter('max')).toThrow(CgroupFormatError);
  });
  it('splits cpuacct.usage_percpu, trailing space included', () => {
    expect(parseIntegerList('16505983 3744561 \n')).toEqual([16505983, 3744561]);
    expect(() => parseIntegerList('1 x 3')).toThrow(CgroupFormatError);
  });
});

describe('parseFlatKeyed', () => {
  it('maps keys whatever their order, keeping unknown keys', () => {
    const a = parseFlatKeyed('usage_usec 10\nuser_usec 7\nsystem_usec 3\nnew_field_2030 9\n');
    const b = parseFlatKeyed('new_field_2030 9\nsystem_usec 3\nusage_usec 10\nuser_usec 7');
    expect(a).toEqual({ usage_usec: 10, user_usec: 7, system_usec: 3, new_field_2030: 9 });
    expect(b).toEqual(a);
  });
  it('skips blank lines and tolerates a missing final newline', () => {
    expect(parseFlatKeyed('\nuser 5\n\nsystem 2')).toEqual({ user: 5, system: 2 });
    expect(parseFlatKeyed('')).toEqual({});
  });
  it('rejects lines without exactly one integer value', () => {
    expect(() => parseFlatKeyed('user 5 6\n')).toThrow(CgroupFormatError);
    expect(() => parseFlatKeyed('user\n')).toThrow(CgroupFormatError);
    expect(() => parseFlatKeyed('user five\n')).toThrow(CgroupFormatError);
  });
});

describe('parseNestedKeyed', () => {
  it('keys io.stat by device and keeps every pair', () => {
    const text =
      '254:16 rbytes=33554432 wbytes=67108864 rios=32 wios=64 dbytes=0 dios=0\n' +
      '254:0 rbytes=573440 wbytes=20336640 rios=140 wios=4965 dbytes=0 dios=0 cost.vrate=135.38';
    expect(parseNestedKeyed(text)).toEqual({
      '254:16': { rbytes: 33554432, wbytes: 67108864, rios: 32, wios: 64, dbytes: 0, dios: 0 },
      '254:0': { rbytes: 573440, wbytes: 20336640, rios: 140, wios: 4965, dbytes: 0, dios: 0, 'cost.vrate': 135.38 },
    });
  });
  it('gives an empty map for an empty io.stat', () => {
    expect(parseNestedKeyed('')).toEqual({});
  });
  it('rejects pairs without "=" or with a non-numeric value', () => {
    expect(() => parseNestedKeyed('8:0 rbytes\n')).toThrow(CgroupFormatError);
    expect(() => parseNestedKeyed('8:0 rbytes=lots\n')).toThrow(CgroupFormatError);
    expect(() => parseNestedKeyed('8:0 =5\n')).toThrow(CgroupFormatError);
  });
});

describe('parseIoStat', () => {
  it('gives each device in file order with every counter', () => {
    const text =
      '254:16 rbytes=33554432 wbytes=67108864 rios=32 wios=64 dbytes=0 dios=0\n' +
      '8:0 rbytes=573440 wbytes=20336640 rios=140 wios=4965 dbytes=0 dios=0 cost.vrate=135.38';
    expect(parseIoStat(text)).toEqual([
      {
        major: 254,
        minor: 16,
        counters: { rbytes: 33554432, wbytes: 67108864, rios: 32, wios: 64, dbytes: 0, dios: 0 },
      },
      {
        major: 8,
        minor: 0,
        counters: { rbytes: 573440, wbytes: 20336640, rios: 140, wios: 4965, dbytes: 0, dios: 0, 'cost.vrate': 135.38 },
      },
    ]);
  });
  it('gives no devices for an empty io.stat', () => {
    expect(parseIoStat('')).toEqual([]);
  });
  it('rejects a key that is not a device, and pairs without a number', () => {
    expect(() => parseIoStat('8-0 rbytes=1\n')).toThrow(/bad device "8-0"/);
    expect(() => parseIoStat('total rbytes=1\n')).toThrow(CgroupFormatError);
    expect(() => parseIoStat('8:0 rbytes\n')).toThrow(/bad pair/);
    expect(() => parseIoStat('8:0 rbytes=lots\n')).toThrow(CgroupFormatError);
  });
  it('reads the same device keys again from a cached key table', () => {
    // One tokenize() answer for two files: the second file's keys are the first's ids.
    const tokens = tokenizeTexts(['8:0 rbytes=1 wbytes=2\n', '8:0 rbytes=3 wbytes=4\n']);
    expect(parse.parseIoStat(fileTokens(tokens, 1))).toEqual([
      { major: 8, minor: 0, counters: { rbytes: 3, wbytes: 4 } },
    ]);
  });
});

describe('parseBlkioV1', () => {
  const text =
    '254:0 Read 4096\n254:0 Write 20971520\n254:0 Sync 20971520\n254:0 Async 0\n' +
    '254:0 Discard 0\n254:0 Total 20975616\n8:0 Write 512\nTotal 20976128\n';
  it('lists device lines and drops the closing Total line', () => {
    const entries = parseBlkioV1(text);
    expect(entries).toHaveLength(7);
    expect(entries[1]).toEqual({ major: 254, minor: 0, op: 'Write', value: 20971520 });
    expect(entries[6]).toEqual({ major: 8, minor: 0, op: 'Write', value: 512 });
  });
  it('gives no entries for a file that only says "Total 0"', () => {
    expect(parseBlkioV1('Total 0\n')).toEqual([]);
    expect(parseBlkioV1('')).toEqual([]);
  });
  it('does not depend on line order', () => {
    const shuffled = text.trim().split('\n').reverse().join('\n');
    const byKey = (list: ReturnType<typeof parseBlkioV1>) =>
      Object.fromEntries(list.map((e) => [`${e.major}:${e.minor} ${e.op}`, e.value]));
    expect(byKey(parseBlkioV1(shuffled))).toEqual(byKey(parseBlkioV1(text)));
  });
  it('rejects malformed lines', () => {
    expect(() => parseBlkioV1('254-0 Read 1\n')).toThrow(CgroupFormatError);
    expect(() => parseBlkioV1('254:0 Read\n')).toThrow(CgroupFormatError);
    expect(() => parseBlkioV1('254:0 Read x\n')).toThrow(CgroupFormatError);
  });
});

describe('parsePressure', () => {
  it('reads some and full with the total in ns', () => {
    const psi = parsePressure(
      'some avg10=35.66 avg60=10.27 avg300=2.35 total=7665940\n' +
        'full avg10=35.66 avg60=10.27 avg300=2.35 total=7647807\n',
    );
    expect(psi.some).toEqual({ avg10: 35.66, avg60: 10.27, avg300: 2.35, totalNs: 7665940 * 1000 });
    expect(psi.full?.totalNs).toBe(7647807 * 1000);
  });
  it('gives full null when the kernel writes only "some" (cpu before 5.13)', () => {
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=12').full).toBeNull();
  });
  it('accepts the lines in any order', () => {
    const psi = parsePressure(
      'full avg10=1.00 avg60=0.00 avg300=0.00 total=5\nsome avg10=2.00 avg60=0.00 avg300=0.00 total=9',
    );
    expect(psi.some.totalNs).toBe(9000);
    expect(psi.full?.avg10).toBe(1);
  });
  it('rejects a file without "some" or with a field missing', () => {
    expect(() => parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=0')).toThrow(CgroupFormatError);
    expect(() => parsePressure('some avg10=0.00 avg60=0.00 total=0')).toThrow(CgroupFormatError);
    expect(() => parsePressure('')).toThrow(CgroupFormatError);
  });
});

describe('parseCpuList', () => {
  it('counts ranges and single CPUs', () => {
    expect(parseCpuList('0-1\n')).toBe(2);
    expect(parseCpuList('0-3,5,8-9')).toBe(7);
    expect(parseCpuList('7')).toBe(1);
  });
  it('gives null for an empty list, not zero CPUs', () => {
    expect(parseCpuList('\n')).toBeNull();
    expect(parseCpuList('')).toBeNull();
  });
  it('rejects malformed lists', () => {
    for (const text of ['0-', 'a', '3-1', '0,,1']) expect(() => parseCpuList(text)).toThrow(CgroupFormatError);
  });
});

describe('v1 "unlimited" forms', () => {
  it('treats page-aligned LONG_MAX (4 KiB and 64 KiB pages) and LONG_MAX as no memory limit', () => {
    // (2^63 - 1) rounded down to 4096 and to 65536, computed here with BigInt.
    const pageAligned4k = ((2n ** 63n - 1n) / 4096n) * 4096n;
    const pageAligned64k = ((2n ** 63n - 1n) / 65536n) * 65536n;
    expect(pageAligned4k.toString()).toBe('9223372036854771712');
    expect(parseMemoryLimitV1(`${pageAligned4k}\n`)).toBeNull();
    expect(parseMemoryLimitV1(`${pageAligned64k}\n`)).toBeNull();
    expect(parseMemoryLimitV1(`${2n ** 63n - 1n}`)).toBeNull();
    expect(parseMemoryLimitV1('67108864\n')).toBe(64 * 1024 * 1024);
  });
  it('treats a cfs quota of -1 as no quota', () => {
    expect(parseCfsQuotaV1('-1\n')).toBeNull();
    expect(parseCfsQuotaV1('50000\n')).toBe(50000);
  });
});

describe('parseCpuMax / cpuLimitCores', () => {
  it('reads quota and period, "max" as no quota', () => {
    expect(parseCpuMax('50000 100000\n')).toEqual({ quotaUs: 50000, periodUs: 100000 });
    expect(parseCpuMax('max 100000\n')).toEqual({ quotaUs: null, periodUs: 100000 });
    expect(() => parseCpuMax('max\n')).toThrow(CgroupFormatError);
  });
  it('divides quota by period', () => {
    expect(cpuLimitCores(150000, 100000)).toBe(1.5);
    expect(cpuLimitCores(null, 100000)).toBeNull();
  });
});

describe('huge page size names', () => {
  it('names the kernel hugepages directories as the hugetlb files do', () => {
    expect(pageSizeName('hugepages-2048kB')).toBe('2MB');
    expect(pageSizeName('hugepages-1048576kB')).toBe('1GB');
    expect(pageSizeName('hugepages-64kB')).toBe('64KB');
    expect(pageSizeName('hugepages-32768kB')).toBe('32MB');
    expect(pageSizeName('hugepages-16777216kB')).toBe('16GB');
    expect(pageSizeName('hugepages-1536kB')).toBe('1MB');
    expect(pageSizeName('hugepages-')).toBeNull();
    expect(pageSizeName('../x')).toBeNull();
  });
});
