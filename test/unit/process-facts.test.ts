// /proc/<pid>/stat as discovery reads it: which processes count as gone.
import { describe, expect, it } from 'vitest';
import { isExitingStat } from '../../lib/discovery/process-facts.js';

/** A /proc/<pid>/stat line with the given command, state and flags (field 9); the rest as a sleeping shell's. */
function stat(command: string, state: string, flags: number): string {
  return `4242 (${command}) ${state} 1 4242 4242 0 -1 ${flags} 120 0 0 0 0 0 0 0 20 0 1 0 123456 1654784 226 18446744073709551615 1 1 0 0 0 0 0 0 65536 0 0 0 17 1 0 0 0 0 0\n`;
}

describe('isExitingStat', () => {
  it('a running or sleeping process is not exiting', () => {
    expect(isExitingStat(stat('sleep', 'S', 0x400100))).toBe(false);
    expect(isExitingStat(stat('sh', 'R', 0x400000))).toBe(false);
  });

  it('a zombie or a dead process is', () => {
    for (const state of ['Z', 'X', 'x']) expect(isExitingStat(stat('sleep', state, 0x400104))).toBe(true);
  });

  it('so is one still running its exit (PF_EXITING), whose v1 cgroups already read "/"', () => {
    expect(isExitingStat(stat('sh', 'R', 0x400104))).toBe(true);
    expect(isExitingStat(stat('sh', 'D', 0x4))).toBe(true);
  });

  it('takes the fields after the last ")" of the command', () => {
    expect(isExitingStat(stat('a) Z 1 (b', 'S', 0x400100))).toBe(false);
    expect(isExitingStat(stat('a) S 1 (b', 'Z', 0x400100))).toBe(true);
  });

  it('a line it cannot parse is not taken for an exit', () => {
    expect(isExitingStat('')).toBe(false);
    expect(isExitingStat('4242 (sleep')).toBe(false);
  });
});
