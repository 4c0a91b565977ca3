// Command line of ctrstat: parsing and help text. Pure, so it is tested without running anything.
import { parseArgs } from 'node:util';
import { normalizeCgroupPath } from '../discovery/resolve.js';
import { InvalidReferenceError } from '../errors.js';
import { SORT_KEYS, type SortKey } from './format.js';
import { parseServeCommandLine, type ServeOptions } from './serve-args.js';
import { HOST_ROOT_OPTIONS, hostRootHelp, hostRoots, parseIntervalSeconds, UsageError } from './usage.js';
import type { HostOptions } from '../types.js';

export interface CliOptions {
  /** Containers named on the command line (names, ids, id prefixes); empty means all. */
  refs: string[];
  /** Show the child cgroups of this cgroup instead of containers. */
  cgroup: string | null;
  sort: SortKey;
  stream: boolean;
  json: boolean;
  /** Seconds between sweeps. */
  intervalSeconds: number;
  includeSandboxes: boolean;
  network: boolean;
  /** Where the host's /proc and /sys and the runtimes' state are. */
  host: HostOptions;
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'run'; options: CliOptions }
  | { kind: 'serve-help' }
  | { kind: 'serve'; options: ServeOptions };

export const HELP = `Usage: ctrstat [options] [CONTAINER...]
       ctrstat serve [options]     (an HTTP agent: ctrstat serve --help)

Live resource usage of containers, read straight from the kernel (cgroup files
and network namespaces); no container engine API is called.

CONTAINER is a name, a full id or an id prefix. Without one, every container
on the machine is shown, and containers that start or stop come and go.

Options:
  --sort <key>        Order rows by cpu, mem, net, io, pids (largest first) or
                      name (default: name)
  --no-stream         Print one table (after two samples, for the rates) and exit
  --json              One JSON object per container per sample, one per line:
                      {"stats": {...}, "usage": {...}}
  --interval <sec>    Seconds between samples (default: 1)
  --cgroup <path>     Show the child cgroups of this cgroup instead of containers,
                      e.g. --cgroup /system.slice
  --all               Include Kubernetes pod sandbox (pause) containers
  --no-network        Do not read network counters (no namespace is entered)
${hostRootHelp(22)}
  -h, --help          Show this help
  --version           Show the version

Columns follow docker stats: CPU % is of one core (one busy core = 100 %);
MEM USAGE excludes inactive file cache; memory in MiB/GiB, I/O in kB/MB/GB;
NET I/O shows received / sent totals and (per second rates).

Exit status: 0 success (also after Ctrl-C), 1 error (such as an unknown
container or no cgroup filesystem), 2 bad command line, 77 permission denied
(run as root).`;

function isSortKey(value: string): value is SortKey {
  return (SORT_KEYS as readonly string[]).includes(value);
}

export function parseCommandLine(argv: readonly string[]): CliCommand {
  if (argv[0] === 'serve') {
    const serve = parseServeCommandLine(argv.slice(1));
    return serve.kind === 'help' ? { kind: 'serve-help' } : serve;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        sort: { type: 'string' },
        'no-stream': { type: 'boolean' },
        json: { type: 'boolean' },
        interval: { type: 'string' },
        cgroup: { type: 'string' },
        all: { type: 'boolean' },
        'no-network': { type: 'boolean' },
        ...HOST_ROOT_OPTIONS,
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const sort = values.sort ?? 'name';
  if (!isSortKey(sort)) throw new UsageError(`--sort must be one of ${SORT_KEYS.join(', ')}; got "${sort}"`);

  const intervalSeconds = parseIntervalSeconds(values.interval);

  let cgroup: string | null = null;
  if (values.cgroup !== undefined) {
    try {
      cgroup = normalizeCgroupPath(values.cgroup);
    } catch (err) {
      if (!(err instanceof InvalidReferenceError)) throw err;
      throw new UsageError(`--cgroup takes an absolute cgroup path such as /system.slice. ${err.message}`, {
        cause: err,
      });
    }
    if (positionals.length > 0)
      throw new UsageError('--cgroup shows the cgroups below a path; it takes no CONTAINER arguments');
  }

  return {
    kind: 'run',
    options: {
      refs: positionals,
      cgroup,
      sort,
      stream: !values['no-stream'],
      json: values.json ?? false,
      intervalSeconds,
      includeSandboxes: values.all ?? false,
      network: !values['no-network'],
      host: hostRoots(values),
    },
  };
}
