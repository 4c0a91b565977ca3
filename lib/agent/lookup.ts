// One container by reference, for the single-container endpoints: from the latest sweep, or, for a
// container that no sweep has read yet (it just started), read once on its own (rates then null).
import { computeUsage, type ContainerStats, type MonitorSample } from '../index.js';
import { HttpError } from './http.js';
import type { Snapshot } from './snapshot.js';

/** Longer than any id, name or prefix a runtime gives. */
const MAX_REFERENCE_LENGTH = 255;

export type ReadOne = (ref: string) => Promise<ContainerStats>;

/** The HTTP answer to a library error: a bad reference is the client's (400), a missing container 404. */
export function httpErrorOf(error: unknown): HttpError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ERR_CONTAINER_NOT_FOUND':
      return new HttpError(404, 'ERR_CONTAINER_NOT_FOUND', message);
    case 'ERR_INVALID_REFERENCE':
    case 'ERR_AMBIGUOUS_REFERENCE':
      return new HttpError(400, code, message);
    default:
      return new HttpError(500, typeof code === 'string' ? code : 'ERR_INTERNAL', message);
  }
}

/** The container of a snapshot a reference names, or null; a 400 for a reference too long or ambiguous. */
export function findInSnapshot(ref: string, snapshot: Snapshot | null): MonitorSample | null {
  if (ref.length > MAX_REFERENCE_LENGTH) {
    throw new HttpError(
      400,
      'ERR_INVALID_REFERENCE',
      `A container reference is at most ${MAX_REFERENCE_LENGTH} characters`,
    );
  }
  const found = snapshot?.find(ref) ?? null;
  if (found === 'ambiguous') {
    throw new HttpError(
      400,
      'ERR_AMBIGUOUS_REFERENCE',
      `Reference "${ref}" matches more than one container; give more of the id`,
    );
  }
  return found;
}

export async function lookupContainer(
  ref: string,
  snapshot: Snapshot | null,
  readOne: ReadOne,
): Promise<MonitorSample> {
  const found = findInSnapshot(ref, snapshot);
  if (found !== null) return found;
  try {
    // Once per reference and sweep: repeated or concurrent asks for the same unknown name share one read.
    const stats = snapshot === null ? await readOne(ref) : await snapshot.memo(`read:${ref}`, () => readOne(ref));
    return { stats, usage: computeUsage(null, stats) };
  } catch (err) {
    throw httpErrorOf(err);
  }
}

/** The snapshot, or a 503 before the first sweep (never an empty answer that reads as "no containers"). */
export function requireSnapshot(snapshot: Snapshot | null): Snapshot {
  if (snapshot === null) {
    throw new HttpError(503, 'ERR_NOT_READY', 'The first sweep has not completed yet', { 'Retry-After': '1' });
  }
  return snapshot;
}
