// Captured fixtures (test/fixtures/*): Docker's API answers and `docker info`, kept as JSON files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads JSON files by their path below root. */
export function jsonUnder(root: string): (relative: string) => any {
  return (relative) => JSON.parse(readFileSync(join(root, relative), 'utf8'));
}
