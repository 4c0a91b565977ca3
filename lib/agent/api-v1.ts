// ctrstat's own JSON, versioned under /api/v1: the library's shapes as they are (base units, null for
// unlimited or unknown), so that a client of the agent reads what a caller of the library reads.
import { HttpError, sendJson, sendJsonText, stringifyInSlices } from './http.js';
import type { UsageHistory } from './history.js';
import { findInSnapshot, lookupContainer, requireSnapshot, type ReadOne } from './lookup.js';
import type { Router } from './router.js';
import type { Snapshot } from './snapshot.js';

async function containerList(snapshot: Snapshot): Promise<string> {
  const containers = snapshot.samples.map(({ stats, usage }) => ({
    id: stats.id,
    name: stats.name,
    runtime: stats.runtime,
    image: stats.image,
    imageId: stats.imageId,
    labels: stats.labels,
    kubernetes: stats.kubernetes,
    containerdNamespace: stats.containerdNamespace,
    cgroup: stats.cgroup,
    pid: stats.pid,
    startedAt: stats.startedAt,
    usage,
  }));
  return `{"timestamp":${snapshot.sweep.timestamp},"containers":${await stringifyInSlices(containers, false)}}`;
}

function hostAnswer(snapshot: Snapshot) {
  const host = snapshot.host;
  return {
    timestamp: snapshot.sweep.timestamp,
    containers: snapshot.samples.length,
    error: snapshot.hostError?.message ?? null,
    host:
      host === null
        ? null
        : {
            cpus: host.cpus,
            // Share of all CPUs' time not idle since the previous sweep, 0..1.
            cpuBusyFraction: snapshot.hostBusy,
            bootTime: host.bootTime,
            memory: host.memory,
            load: host.load,
            runQueueSmoothed: snapshot.runQueueSmoothed,
          },
  };
}

/** What the history route needs: the kept sweeps and the monitor's interval. */
export interface HistorySource {
  history: UsageHistory;
  intervalMs: number;
}

export function registerApiV1Routes(
  router: Router,
  current: () => Snapshot | null,
  readOne: ReadOne,
  { history, intervalMs }: HistorySource,
): void {
  router
    .get('/api/v1/containers', async ({ req, res }) => {
      const snapshot = requireSnapshot(current());
      sendJsonText(req, res, await snapshot.memo('api-v1:containers', () => containerList(snapshot)));
    })
    .get('/api/v1/containers/:ref', async ({ req, res, params }) => {
      const { stats, usage } = await lookupContainer(params.ref!, current(), readOne);
      sendJson(req, res, 200, { stats, usage });
    })
    .get('/api/v1/containers/:ref/history', ({ req, res, params }) => {
      const snapshot = requireSnapshot(current());
      const ref = params.ref!;
      // A container of the latest sweep by any reference; one gone since only by its whole id.
      const id = findInSnapshot(ref, snapshot)?.stats.id ?? ref;
      const kept = history.of(id);
      if (kept === null) {
        throw new HttpError(
          404,
          'ERR_CONTAINER_NOT_FOUND',
          history.points === 0
            ? 'No history is kept (stream.historyPoints is 0)'
            : `No such container in the kept sweeps: ${ref}`,
        );
      }
      sendJson(req, res, 200, { ...kept, intervalMs });
    })
    .get('/api/v1/host', ({ req, res }) => {
      sendJson(req, res, 200, hostAnswer(requireSnapshot(current())));
    });
}
