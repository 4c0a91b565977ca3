// Waiting for a condition with a deadline, instead of sleeping a fixed time and hoping it holds by then.
import { existsSync, rmdirSync } from 'node:fs';

/**
 * Removes empty cgroup directories; a cgroup whose last process just exited may still be busy for a
 * moment (EBUSY) while the kernel releases it, so rmdir is retried until the deadline. Missing ones are skipped.
 */
export async function removeCgroupDirs(dirs: readonly string[], timeoutMs = 10_000): Promise<void> {
  for (const dir of dirs) {
    await waitFor(
      () => {
        if (!existsSync(dir)) return true;
        try {
          rmdirSync(dir);
          return true;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'EBUSY') return false;
          throw err;
        }
      },
      `${dir} to be released`,
      timeoutMs,
    );
  }
}

/** Resolves once `check` holds (polled every `everyMs`), or rejects after `timeoutMs` naming `what`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
