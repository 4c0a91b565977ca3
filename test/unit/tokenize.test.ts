// The addon's tokenizer (cpp/tokenize.h) on the formats it meets, on every real cgroup and proc file of
// the fixtures against a plain reading of its rules written here, and on numbers against Number().
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizeTexts } from '../../lib/io/tokens.js';

type Entry = [string, number];

function entriesOf(texts: string[]): Entry[][] {
  const { batch, keyNames } = tokenizeTexts(texts);
  return texts.map((_, i) => {
    const list: Entry[] = [];
    for (let j = batch.first[i]!; j < batch.first[i + 1]!; j++)
      list.push([keyNames.names[batch.keys[j]!]!, batch.values[j]!]);
    return list;
  });
}

const entries = (text: string): Entry[] => entriesOf([text])[0]!;

/** The rules of cpp/tokenize.h, read the slow way. */
function reference(text: string): Entry[] {
  const out: Entry[] = [];
  const number = /^-?\d+(\.\d+)?$/;
  for (const line of text.split('\n')) {
    let key = '';
    let emitted = false;
    for (const token of line.split(/[ \t\r\v\f\0]+/).filter((t) => t !== '')) {
      if (number.test(token)) {
        out.push([key, Number(token)]);
        emitted = true;
        continue;
      }
      const eq = token.indexOf('=');
      if (eq > 0 && number.test(token.slice(eq + 1))) {
        out.push([key === '' ? token.slice(0, eq) : `${key} ${token.slice(0, eq)}`, Number(token.slice(eq + 1))]);
        emitted = true;
        continue;
      }
      if (emitted) {
        key = '';
        emitted = false;
      }
      key = key === '' ? token : `${key} ${token}`;
    }
    if (key !== '' && !emitted) out.push([key, NaN]);
  }
  return out;
}

function filesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else if (!name.endsWith('.json') && !name.endsWith('.jsonl') && !name.endsWith('.md')) found.push(path);
  }
  return found;
}

describe('tokenize', () => {
  it('reads each cgroup file format as documented', () => {
    expect(entries('cache 4096\ntotal_rss 12\n')).toEqual([
      ['cache', 4096],
      ['total_rss', 12],
    ]);
    expect(entries('8:0 Read 12\n8:0 Write 3\nTotal 15\n')).toEqual([
      ['8:0 Read', 12],
      ['8:0 Write', 3],
      ['Total', 15],
    ]);
    expect(entries('some avg10=0.50 avg60=10.68 avg300=0.00 total=9\n')).toEqual([
      ['some avg10', 0.5],
      ['some avg60', 10.68],
      ['some avg300', 0],
      ['some total', 9],
    ]);
    expect(entries('254:16 rbytes=1 wbytes=2 cost.vrate=135.38\n')).toEqual([
      ['254:16 rbytes', 1],
      ['254:16 wbytes', 2],
      ['254:16 cost.vrate', 135.38],
    ]);
    expect(entries('max\n')).toEqual([['max', NaN]]);
    expect(entries('max 100000\n')).toEqual([['max', 100000]]);
    expect(entries('50000 100000\n')).toEqual([
      ['', 50000],
      ['', 100000],
    ]);
    expect(entries('16505983 3744561 \n')).toEqual([
      ['', 16505983],
      ['', 3744561],
    ]);
    expect(entries('0-3,5\n')).toEqual([['0-3,5', NaN]]);
    expect(entries('-1\n')).toEqual([['', -1]]);
    expect(entries('cpuset cpu io memory\n')).toEqual([['cpuset cpu io memory', NaN]]);
    expect(entries('')).toEqual([]);
    expect(entries('\n\n  \n')).toEqual([]);
    // A word after a number starts a new key; "=" without a number after it is part of a word.
    expect(entries('MemTotal: 24106 kB\n')).toEqual([
      ['MemTotal:', 24106],
      ['kB', NaN],
    ]);
    expect(entries('a=b c=1 =2\n')).toEqual([
      ['a=b c', 1],
      ['=2', NaN],
    ]);
    expect(entries('no newline 7')).toEqual([['no newline', 7]]);
  });

  it('keeps the exact values the kernel writes, up to 2^64 - 1', () => {
    expect(entries('9223372036854771712\n')).toEqual([['', 9223372036854771712]]);
    expect(entries('18446744073709551615\n')).toEqual([['', 2 ** 64]]);
    expect(entries('9007199254740993\n')[0]![1]).toBe(Number('9007199254740993'));
  });

  it('reads numbers as Number() does (random integers and decimals)', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const texts: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const digits = 1 + Math.floor(random() * 22);
      let text = random() < 0.1 ? '-' : '';
      for (let d = 0; d < digits; d++) text += String(Math.floor(random() * 10));
      if (random() < 0.4) {
        text += '.';
        const fraction = 1 + Math.floor(random() * 20);
        for (let d = 0; d < fraction; d++) text += String(Math.floor(random() * 10));
      }
      texts.push(text);
    }
    const all = entriesOf(texts);
    texts.forEach((text, i) => expect(all[i]).toEqual([['', Number(text)]]));
  });

  it('agrees with the reference rules on every fixture file (cgroup v1, v2 and proc)', () => {
    const files = [
      ...filesUnder(join(import.meta.dirname, '../fixtures/cgroup1')),
      ...filesUnder(join(import.meta.dirname, '../fixtures/cgroup2')),
    ];
    expect(files.length).toBeGreaterThan(400);
    const texts = files.map((file) => readFileSync(file, 'latin1'));
    const all = entriesOf(texts);
    let total = 0;
    texts.forEach((text, i) => {
      expect({ file: files[i], entries: all[i] }).toEqual({ file: files[i], entries: reference(text) });
      total += all[i]!.length;
    });
    expect(total).toBeGreaterThan(5000);
  });

  it('refuses at once a text whose keys add up to more than 16 bytes per byte of text', () => {
    // 400 KB of words, then 100 000 numbers under that one key: 40 GB of key to hash, unbounded.
    const hostile = `${'w '.repeat(200_000)}${'1 '.repeat(100_000)}`;
    const started = performance.now();
    const { batch } = tokenizeTexts([hostile, 'intr 1 2 3']);
    expect(performance.now() - started).toBeLessThan(2000);
    expect([...batch.status]).toEqual([-75 /* EOVERFLOW */, 0]);
    expect(batch.first[1]).toBe(0);
    // Short keys over many entries, as /proc/stat's intr line has, are far inside the bound.
    expect(entries(`intr ${'0 '.repeat(100_000)}`)).toHaveLength(100_000);
  });

  it('refuses a file whose distinct keys would pass a million, leaving no entries of it', () => {
    const words: string[] = [];
    for (let i = 0; i <= 1 << 20; i++) words.push(`k${i} 1`);
    const { batch } = tokenizeTexts(['fine 1\n', words.join('\n')]);
    expect([...batch.status]).toEqual([0, -75 /* EOVERFLOW */]);
    expect(batch.first[2]).toBe(batch.first[1]);
  });
});

describe('KeyNames.devicesFrom', () => {
  it('gives each device the keys from an id on name, once, in order; other keys name none', () => {
    const { keyNames } = tokenizeTexts([
      '254:0 Read 4096\n254:0 Write 0\nTotal 4096\n',
      'cache 1\n8:16 rbytes=1 wbytes=2\n',
      '253:1 rbps=max wbps=max\n',
    ]);
    const idOf = (name: string) => keyNames.names.indexOf(name);
    expect(keyNames.devicesFrom(0)).toEqual([
      [254, 0],
      [8, 16],
      [253, 1],
    ]);
    expect(keyNames.devicesFrom(idOf('cache'))).toEqual([
      [8, 16],
      [253, 1],
    ]);
    expect(keyNames.devicesFrom(keyNames.known)).toEqual([]);
  });
});
