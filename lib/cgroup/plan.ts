// Which files one container needs, as a flat list of absolute paths, each marked optional or not as its
// controller declares it. The caller reads the plans of many containers (and the host's files) in one
// batched native read and hands each plan its offset in the answers.
import type { CgroupVersion } from '../types.js';
import { UnsupportedLayoutError } from '../errors.js';
import { UNIFIED, type CgroupDirs, type Controller, type StatsField } from './controller.js';
import type { CgroupFilePlan } from './files.js';
import { CONTROLLERS, STATS_FIELDS, type PreparedControllers } from './registry.js';

/** A controller of a plan and what it was prepared with. */
export interface PlannedController {
  readonly controller: Controller<StatsField, unknown>;
  readonly prepared: unknown;
}

/** A plan with the controllers to read from it (in STATS_FIELDS order; null for an optional one that is not there). */
export interface ContainerPlan extends CgroupFilePlan {
  readonly controllers: ReadonlyArray<PlannedController | null>;
}

export type { CgroupFilePlan } from './files.js';

/** cgroup.controllers tells "controller not enabled" apart from "cgroup removed" when a v2 file is missing. */
const CONTROLLERS_FILE = 'cgroup.controllers';

/**
 * The plan of a container with these directories. On v1 and hybrid each controller is read from its v1
 * hierarchy; one whose hierarchy is not mounted is read in its v2 form from the unified tree, where a hybrid
 * host binds the controllers no v1 hierarchy took. Throws UnsupportedLayoutError when a required
 * controller has no directory.
 */
export function cgroupFilePlan(
  dirs: CgroupDirs,
  version: CgroupVersion,
  prepared: PreparedControllers = {},
): ContainerPlan {
  const paths: string[] = [];
  const optional: boolean[] = [];
  const enabledBy: Array<string | undefined> = [];
  const config: boolean[] = [];
  const index: Record<string, number> = {};
  let controllersAt: number | undefined;
  const add = (
    path: string,
    name: string,
    isOptional: boolean,
    controller: string | undefined,
    isConfig = false,
  ): void => {
    index[name] = paths.length;
    paths.push(path);
    optional.push(isOptional);
    enabledBy.push(controller);
    config.push(isConfig);
  };
  const unifiedDir = dirs[UNIFIED] ?? null;

  const controllers = STATS_FIELDS.map((field): PlannedController | null => {
    let controller: Controller<StatsField, unknown> = CONTROLLERS[field][version];
    if (version === 1 && controller.hierarchy !== UNIFIED && !(controller.hierarchy in dirs))
      controller = CONTROLLERS[field][2];
    const v2Tree = controller.version === 2 || controller.hierarchy === UNIFIED;
    const files = controller.files(prepared[field]);
    const dirOf = (hierarchy: string | undefined): string | null =>
      v2Tree ? unifiedDir : (dirs[hierarchy ?? controller.hierarchy] ?? null);
    const missing =
      files.find((file) => file.optional === undefined && dirOf(file.hierarchy) === null) ??
      (files.every((file) => dirOf(file.hierarchy) === null) ? files[0] : undefined);
    if (missing !== undefined) {
      if (controller.optional) return null;
      throw new UnsupportedLayoutError(
        `no cgroup directory for the ${v2Tree ? 'unified' : (missing.hierarchy ?? controller.hierarchy)} hierarchy, which ${field} stats are read from`,
      );
    }
    if (controller.enabledBy !== undefined && controllersAt === undefined && unifiedDir !== null) {
      controllersAt = paths.length;
      add(`${unifiedDir}/${CONTROLLERS_FILE}`, CONTROLLERS_FILE, version === 1, undefined);
    }
    for (const file of files) {
      const dir = dirOf(file.hierarchy);
      if (dir !== null)
        add(
          `${dir}/${file.name}`,
          file.name,
          file.optional !== undefined,
          v2Tree ? controller.enabledBy : undefined,
          file.config === true,
        );
    }
    return { controller, prepared: prepared[field] };
  });
  const dir = version === 2 ? unifiedDir : (dirs['memory'] ?? null);
  if (dir === null)
    throw new UnsupportedLayoutError(`no cgroup directory for the ${version === 2 ? 'unified' : 'memory'} hierarchy`);
  return { version, paths, optional, enabledBy, controllersAt, index, dir, controllers, config };
}
