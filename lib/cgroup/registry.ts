// Every controller the stats are read from, by the field it fills, in both cgroup versions. Planning,
// reading and directory lookup iterate this table: a controller is one file of its own and one line here.
import type { Controller, StatsField } from './controller.js';
import { UNIFIED } from './controller.js';
import { hugetlbV1, hugetlbV2 } from './hugetlb.js';
import { blkioV1 } from './v1/blkio.js';
import { cpuV1 } from './v1/cpu.js';
import { memoryV1 } from './v1/memory.js';
import { pidsV1 } from './v1/pids.js';
import { cpuV2 } from './v2/cpu.js';
import { ioV2 } from './v2/io.js';
import { memoryV2 } from './v2/memory.js';
import { pidsV2 } from './v2/pids.js';
import { pressureV1, pressureV2 } from './v2/pressure.js';

// `any`: each controller has its own prepare() result, which its files() and read() take back, so the type is
// invariant in it and no narrower type holds them all.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyPrepared = any;
type Versions<F extends StatsField> = {
  readonly 1: Controller<F, AnyPrepared>;
  readonly 2: Controller<F, AnyPrepared>;
};

export const CONTROLLERS = {
  memory: { 1: memoryV1, 2: memoryV2 },
  cpu: { 1: cpuV1, 2: cpuV2 },
  blkio: { 1: blkioV1, 2: ioV2 },
  pids: { 1: pidsV1, 2: pidsV2 },
  pressure: { 1: pressureV1, 2: pressureV2 },
  hugetlb: { 1: hugetlbV1, 2: hugetlbV2 },
} as const satisfies { readonly [F in StatsField]: Versions<F> };

/** The stats fields, in the order their files are planned. */
export const STATS_FIELDS = Object.keys(CONTROLLERS) as StatsField[];

/** Every controller of one version. */
export function controllersOf(version: 1 | 2): ReadonlyArray<Controller<StatsField, unknown>> {
  return STATS_FIELDS.map((field) => CONTROLLERS[field][version] as Controller<StatsField, unknown>);
}

/** The v1 hierarchies stats are read from ("memory", "cpu", "cpuacct", "cpuset", "blkio", "pids", ...). */
export const V1_HIERARCHIES: readonly string[] = [
  ...new Set(
    controllersOf(1).flatMap((controller) => [
      controller.hierarchy,
      ...controller.files(undefined as never).flatMap((file) => (file.hierarchy === undefined ? [] : [file.hierarchy])),
    ]),
  ),
].filter((hierarchy) => hierarchy !== UNIFIED);

/** The v1 hierarchies without which a container's stats cannot be read (those of its required controllers). */
export const REQUIRED_V1_HIERARCHIES: readonly string[] = [
  ...new Set(
    controllersOf(1)
      .filter((controller) => !controller.optional)
      .flatMap((controller) => [
        controller.hierarchy,
        ...controller
          .files(undefined as never)
          .flatMap((file) => (file.hierarchy === undefined || file.optional !== undefined ? [] : [file.hierarchy])),
      ]),
  ),
].filter((hierarchy) => hierarchy !== UNIFIED);

/** What each controller found out about a host (its `prepare`), by field. */
export type PreparedControllers = Readonly<Partial<Record<StatsField, unknown>>>;

const prepared = new Map<string, Promise<PreparedControllers>>();

/** Runs every controller's `prepare` once per sysRoot (host facts such as huge page sizes do not change). */
export function prepareControllers(sysRoot: string): Promise<PreparedControllers> {
  let answer = prepared.get(sysRoot);
  if (answer === undefined) {
    answer = (async () => {
      const out: Partial<Record<StatsField, unknown>> = {};
      for (const version of [1, 2] as const) {
        for (const controller of controllersOf(version)) {
          if (controller.prepare !== undefined && !(controller.field in out))
            out[controller.field] = await controller.prepare(sysRoot);
        }
      }
      return out;
    })();
    if (prepared.size < 64) prepared.set(sysRoot, answer);
  }
  return answer;
}
