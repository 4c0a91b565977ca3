// GET /metrics: the exposition text of the latest snapshot, rendered once per sweep and gzipped once
// (off the event loop) for the clients that take gzip, as Prometheus does.
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { EXPOSITION_CONTENT_TYPE, renderMetrics } from './exposition.js';
import { acceptsGzip, send } from './http.js';
import { requireSnapshot } from './lookup.js';
import type { Router } from './router.js';
import type { Snapshot } from './snapshot.js';

const gzipAsync = promisify(gzip);

function metricsText(snapshot: Snapshot, labels: readonly string[]): Promise<Buffer> {
  return snapshot.memo('metrics:text', () =>
    renderMetrics({
      samples: snapshot.samples,
      timestamp: snapshot.sweep.timestamp,
      machine:
        snapshot.host === null ? null : { cpuCores: snapshot.host.cpus, memoryBytes: snapshot.host.memory.total },
      labels,
    }),
  );
}

export function registerMetricsRoute(router: Router, current: () => Snapshot | null, labels: readonly string[]): void {
  router.get('/metrics', async ({ req, res }) => {
    const snapshot = requireSnapshot(current());
    if (acceptsGzip(req)) {
      const body = await snapshot.memo('metrics:gzip', async () => gzipAsync(await metricsText(snapshot, labels)));
      send(req, res, 200, EXPOSITION_CONTENT_TYPE, body, { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
      return;
    }
    send(req, res, 200, EXPOSITION_CONTENT_TYPE, await metricsText(snapshot, labels), { Vary: 'Accept-Encoding' });
  });
}
