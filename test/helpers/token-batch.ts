// File contents and failures at hand (fixtures read with fs, or made up), as the batch a native
// FileSet read would have given for them: tokenized by the addon's own tokenizer.
import { readFileSync } from 'node:fs';
import { syscallCode } from '../../lib/io/tokens.js';
import { tokenizeTexts, type TokenBatch } from '../../lib/io/tokens.js';
import type { NativeFailure } from '../../lib/native.js';

/** Plain fs reads shaped like the native batch answers. */
export function readAll(paths: readonly string[]): Array<string | NativeFailure> {
  return paths.map((path) => {
    try {
      return readFileSync(path, 'latin1');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { errno: e.errno!, syscall: e.syscall!, path };
    }
  });
}

export function batchOf(answers: ReadonlyArray<string | NativeFailure>): TokenBatch {
  const tokens = tokenizeTexts(answers.map((answer) => (typeof answer === 'string' ? answer : '')));
  answers.forEach((answer, i) => {
    if (typeof answer === 'string') return;
    tokens.batch.status[i] = answer.errno;
    tokens.batch.syscall[i] = syscallCode(answer.syscall);
  });
  return tokens;
}
