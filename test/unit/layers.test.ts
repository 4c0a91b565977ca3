// The layers of lib/ import one way only: no cycle between files, none between folders (the native I/O
// layer under cgroup/ and discovery/, those under the sampler, the monitor and the agent).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '../../scripts/check-import-cycles.mjs');
const check = (root: string) => {
  try {
    return {
      status: 0,
      out: execFileSync(process.execPath, [script, root], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    };
  } catch (err) {
    const failed = err as { status: number; stderr: string };
    return { status: failed.status, out: failed.stderr };
  }
};

describe('import layers', () => {
  it('lib/ has no import cycle between files or folders', () => {
    const result = check(join(import.meta.dirname, '../../lib'));
    expect(result.out).toMatch(/no import cycles/);
    expect(result.status).toBe(0);
  });

  it('the check finds a file cycle and a folder cycle', () => {
    const root = mkdtempSync(join(tmpdir(), 'ctrstat-layers-'));
    try {
      mkdirSync(join(root, 'a'));
      mkdirSync(join(root, 'b'));
      writeFileSync(join(root, 'a/x.ts'), "import { y } from '../b/y.js';\nexport const x = y;\n");
      writeFileSync(join(root, 'b/y.ts'), "export const y = 1;\nexport type { Z } from '../a/z.js';\n");
      writeFileSync(join(root, 'a/z.ts'), 'export type Z = number;\n');
      writeFileSync(join(root, 'p.ts'), "import { q } from './q.js';\nexport const p = q;\n");
      writeFileSync(
        join(root, 'q.ts'),
        "import type { p } from './p.js';\nexport const q = 1 as unknown as typeof p;\n",
      );
      const result = check(root);
      expect(result.status).toBe(1);
      expect(result.out).toMatch(/folder cycle: a\/ <-> b\//);
      expect(result.out).toMatch(/file cycle: .*p\.ts <-> .*q\.ts/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
