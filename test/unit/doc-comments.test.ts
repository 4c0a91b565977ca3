// A doc comment documents the declaration right after it. Two in a row leave the first documenting nothing: the
// declaration it was written for (say an exported class) then has no documentation in the published types.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = join(import.meta.dirname, '../../lib');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Lines (1-based) where a doc comment starts right after another one ends. */
function stackedDocComments(text: string): number[] {
  const lines: number[] = [];
  for (const match of text.matchAll(/\*\/[ \t]*\r?\n\s*\/\*\*(?!\/)/g)) {
    lines.push(text.slice(0, match.index).split('\n').length + 1);
  }
  return lines;
}

describe('doc comments in lib/', () => {
  it('finds a doc comment stacked on another', () => {
    expect(stackedDocComments('/** a */\nconst a = 1;\n/** b */\nconst b = 2;\n')).toEqual([]);
    expect(stackedDocComments('/**\n * Monitor.\n */\n/** Sample. */\nclass A {}\n')).toEqual([4]);
  });

  it('has no doc comment followed directly by another (the first would document nothing)', () => {
    const found = sources(LIB).flatMap((path) =>
      stackedDocComments(readFileSync(path, 'utf8')).map((line) => `${relative(LIB, path)}:${line}`),
    );
    expect(found).toEqual([]);
  });
});
