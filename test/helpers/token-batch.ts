// File contents and failures at hand (fixtures read with fs, or made up), as the batch a native
// FileSet read would have given for them: tokenized by the addon's own tokenizer.
import { syscallCode } from '../../lib/cgroup/tokens.js';
import { tokenizeTexts, type TokenBatch } from '../../lib/cgroup/tokens.js';
import type { NativeFailure } from '../../lib/native.js';

export function batchOf(answers: ReadonlyArray<string | NativeFailure>): TokenBatch {
  const tokens = tokenizeTexts(answers.map((answer) => (typeof answer === 'string' ? answer : '')));
  answers.forEach((answer, i) => {
    if (typeof answer === 'string') return;
    tokens.batch.status[i] = answer.errno;
    tokens.batch.syscall[i] = syscallCode(answer.syscall);
  });
  return tokens;
}
