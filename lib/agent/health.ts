// GET /healthz: 200 while sweeps arrive on time and read something, 503 before the first one, when they
// stop coming, or when a whole sweep failed (nothing read, errors only).
import { sendJson } from './http.js';
import type { Router } from './router.js';
import type { Snapshot } from './snapshot.js';

/** A sweep later than this many intervals (plus a margin for a slow one) means sampling stalled. */
const STALL_INTERVALS = 3;
const STALL_MARGIN_MS = 5000;

export type HealthStatus = 'ok' | 'starting' | 'stalled' | 'failing';

export function healthOf(
  snapshot: Snapshot | null,
  intervalMs: number,
  nowMs: number,
): { status: HealthStatus; body: unknown } {
  if (snapshot === null) return { status: 'starting', body: { status: 'starting', lastSweep: null } };
  const { sweep } = snapshot;
  const ageMs = nowMs - snapshot.receivedAtMs;
  let status: HealthStatus = 'ok';
  if (ageMs > STALL_INTERVALS * intervalMs + STALL_MARGIN_MS) status = 'stalled';
  else if (sweep.samples.length === 0 && sweep.errors.length > 0) status = 'failing';
  return {
    status,
    body: {
      status,
      lastSweep: {
        timestamp: sweep.timestamp,
        ageMs: Math.round(ageMs),
        durationMs: sweep.durationMs,
        containers: sweep.samples.length,
        errors: sweep.errors.map((error) => ({
          code: (error as { code?: unknown }).code ?? null,
          message: error.message,
        })),
      },
    },
  };
}

export function registerHealthRoute(router: Router, current: () => Snapshot | null, intervalMs: number): void {
  router.get('/healthz', ({ req, res }) => {
    const { status, body } = healthOf(current(), intervalMs, performance.now());
    sendJson(req, res, status === 'ok' ? 200 : 503, body);
  });
}
