// The ctrstat command: resolves what to show, runs a monitor and prints its sweeps as a table (redrawn in
// place on a terminal, appended otherwise) or as JSON lines.
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { isMissing, rethrowAsTyped } from '../io/errno.js';
import { listResolvedContainers } from '../discovery/list.js';
import { resolveContainer, resolveContainers } from '../discovery/resolve.js';
import type { ResolvedContainer } from '../discovery/types.js';
import { ContainerNotFoundError, UnsupportedLayoutError } from '../errors.js';
import { createMonitor, type MonitorOptions, type MonitorSweep } from '../monitor/monitor.js';
import { packageRoot } from '../native.js';
import type { ContainerRef, HostOptions } from '../types.js';
import { HELP, parseCommandLine, type CliOptions } from './args.js';
import { EXIT } from './usage.js';
import { formatTable, sortRows } from './format.js';
import { serve } from './serve.js';
import { SERVE_HELP } from './serve-args.js';

const NO_CONTAINERS = 'No containers found. Use --cgroup <path> to show any cgroup, e.g. --cgroup /system.slice';
const ROOT_HINT = 'Run ctrstat as root (for example with sudo): it reads cgroup files and enters network namespaces.';

const ANSI = {
  home: '\x1b[H',
  clearScreen: '\x1b[2J',
  clearLineEnd: '\x1b[K',
  clearBelow: '\x1b[J',
  hideCursor: '\x1b[?25l',
  showCursor: '\x1b[?25h',
} as const;

interface Failure {
  message: string;
  exitCode: number;
}

/** What the user reads, and the exit status, for an error that ends the command. */
function describeFailure(error: unknown): Failure {
  const err = error instanceof Error ? error : new Error(String(error));
  const code = (err as { code?: unknown }).code;
  switch (code) {
    // A reference or an option the command line gave that the library refuses is a bad command line too.
    case 'ERR_USAGE':
    case 'ERR_INVALID_REFERENCE':
    case 'ERR_INVALID_OPTION':
      return { message: `${err.message}\nRun 'ctrstat --help' for usage.`, exitCode: EXIT.USAGE };
    case 'EACCES':
    case 'EPERM':
      return { message: `${err.message}\n${ROOT_HINT}`, exitCode: EXIT.PERMISSION };
    case 'ERR_UNSUPPORTED_LAYOUT':
      return {
        message: `${err.message}\nctrstat needs a mounted cgroup filesystem (cgroup v1 or v2) below --sys-root (default /sys).`,
        exitCode: EXIT.FAILURE,
      };
    default:
      return { message: err.message, exitCode: EXIT.FAILURE };
  }
}

/** The package's version, from the package.json above this file (lib/cli/ in source, dist/ when built). */
async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** The directory that lists a cgroup's children: the unified one on v2, the memory controller's on v1. */
function childListingDir(target: ResolvedContainer): string {
  const { dirs } = target;
  const dir =
    target.version === 2
      ? (dirs['unified'] ?? null)
      : (dirs['memory'] ?? dirs['cpu'] ?? dirs['cpuacct'] ?? dirs['pids'] ?? null);
  if (dir === null) throw new UnsupportedLayoutError(`No cgroup directory to list for ${target.cgroup.path}`);
  return dir;
}

/** References to the direct child cgroups of `parent`, read afresh on each call. */
async function childCgroups(parent: string, host: HostOptions): Promise<ContainerRef[]> {
  const target = await resolveContainer({ cgroup: parent }, host);
  let entries: Dirent[];
  try {
    entries = await readdir(childListingDir(target), { withFileTypes: true });
  } catch (err) {
    // Removed since it was resolved.
    if (isMissing(err)) throw new ContainerNotFoundError(parent, 'the cgroup was removed', { cause: err });
    rethrowAsTyped(err);
  }
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ cgroup: posix.join(parent, entry.name) }))
    .sort((a, b) => a.cgroup.localeCompare(b.cgroup));
}

/**
 * What the monitor watches, checked once up front so that an unknown container, a missing cgroup
 * filesystem or a lack of privilege ends the command with a clear message. Returns how many there are now.
 */
async function planTargets(
  options: CliOptions,
  host: HostOptions,
): Promise<{ containers: MonitorOptions['containers']; count: number }> {
  if (options.cgroup !== null) {
    const parent = options.cgroup;
    const children = await childCgroups(parent, host);
    return { containers: () => childCgroups(parent, host), count: children.length };
  }
  if (options.refs.length > 0) {
    // Follow the containers these names stand for now, as docker stats follows ids: by cgroup path, which
    // holds the id (an LXC, nspawn or libvirt machine's id is its name, which no { id } reference takes).
    const resolved = await resolveContainers(options.refs, host);
    const paths = [...new Set(resolved.map((target) => target.cgroup.path))];
    return { containers: paths.map((path) => ({ cgroup: path })), count: paths.length };
  }
  const all = await listResolvedContainers({ ...host, includeSandboxes: options.includeSandboxes });
  return { containers: undefined, count: all.length };
}

function emptyMessage(options: CliOptions): string {
  return options.cgroup === null ? NO_CONTAINERS : `No cgroups found below ${options.cgroup}.`;
}

function errorLines(sweep: MonitorSweep): string[] {
  return [...new Set(sweep.errors.map((err) => err.message))].map((message) => `warning: ${message}`);
}

/** Prints sweeps the way the options ask: JSON lines, a table redrawn in place, or tables appended. */
class Printer {
  readonly #options: CliOptions;
  readonly #out: NodeJS.WriteStream;
  readonly #live: boolean;
  #firstFrame = true;

  constructor(options: CliOptions, out: NodeJS.WriteStream) {
    this.#options = options;
    this.#out = out;
    this.#live = out.isTTY === true && !options.json && options.stream;
  }

  /** True when frames are redrawn in place (a terminal, table output, streaming). */
  get live(): boolean {
    return this.#live;
  }

  print(sweep: MonitorSweep): void {
    if (this.#options.json) {
      const rows = sortRows(sweep.samples, this.#options.sort);
      const text = rows.map((row) => JSON.stringify({ stats: row.stats, usage: row.usage })).join('\n');
      if (text !== '') this.#out.write(`${text}\n`);
      for (const line of errorLines(sweep)) process.stderr.write(`ctrstat: ${line}\n`);
      return;
    }
    const body =
      sweep.samples.length === 0 && sweep.errors.length === 0
        ? [emptyMessage(this.#options)]
        : formatTable(sweep.samples, {
            sort: this.#options.sort,
            maxWidth: this.#live ? this.#out.columns : undefined,
          });
    if (!this.#live) {
      this.#out.write(`${body.join('\n')}\n${this.#options.stream ? '\n' : ''}`);
      for (const line of errorLines(sweep)) process.stderr.write(`ctrstat: ${line}\n`);
      return;
    }
    this.#out.write(this.#frame([...body, ...errorLines(sweep)]));
  }

  /** A frame drawn over the previous one: home, each line cleared to its end, the rest cleared below. */
  #frame(lines: string[]): string {
    const rows = this.#out.rows > 1 ? this.#out.rows - 1 : lines.length;
    let shown = lines;
    if (lines.length > rows) {
      shown = lines.slice(0, rows - 1);
      shown.push(`(${lines.length - shown.length} more lines; a larger terminal or --sort shows others)`);
    }
    const prefix = this.#firstFrame ? ANSI.clearScreen : '';
    this.#firstFrame = false;
    return `${prefix}${ANSI.home}${shown.map((line) => line + ANSI.clearLineEnd).join('\n')}\n${ANSI.clearBelow}`;
  }
}

/** Runs the command; resolves with the exit status. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const command = parseCommandLine(argv);
    if (command.kind === 'help') {
      process.stdout.write(`${HELP}\n`);
      return EXIT.OK;
    }
    if (command.kind === 'serve-help') {
      process.stdout.write(`${SERVE_HELP}\n`);
      return EXIT.OK;
    }
    if (command.kind === 'serve') return await serve(command.options);
    if (command.kind === 'version') {
      process.stdout.write(`${await packageVersion()}\n`);
      return EXIT.OK;
    }
    return await watch(command.options);
  } catch (err) {
    const failure = describeFailure(err);
    process.stderr.write(`ctrstat: ${failure.message}\n`);
    return failure.exitCode;
  }
}

async function watch(options: CliOptions): Promise<number> {
  const host = options.host;
  const plan = await planTargets(options, host);
  const printer = new Printer(options, process.stdout);
  if (plan.count === 0 && !options.stream) {
    (options.json ? process.stderr : process.stdout).write(`${emptyMessage(options)}\n`);
    return EXIT.OK;
  }

  const monitor = createMonitor({
    ...host,
    interval: options.intervalSeconds * 1000,
    containers: plan.containers,
    includeSandboxes: options.includeSandboxes,
    network: options.network,
  });
  const showCursor = () => process.stdout.write(ANSI.showCursor);
  if (printer.live) {
    process.stdout.write(ANSI.hideCursor);
    process.once('exit', showCursor);
  }

  let stop!: (exitCode: number) => void;
  const stopped = new Promise<number>((resolve) => {
    stop = resolve;
  });
  const onSignal = () => stop(EXIT.OK);
  // A closed pipe (ctrstat | head) ends the command quietly.
  const onOutputError = () => stop(EXIT.OK);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.on('error', onOutputError);

  let sweeps = 0;
  monitor.on('sweep', (sweep) => {
    sweeps++;
    if (sweeps === 1 && sweep.samples.length === 0 && sweep.errors.length > 0) {
      // Nothing could be read at all: that is the answer, not a warning.
      const failure = describeFailure(sweep.errors[0]);
      process.stderr.write(`ctrstat: ${failure.message}\n`);
      stop(failure.exitCode);
      return;
    }
    // Without streaming, the second sweep is the first with rates.
    if (options.stream || sweeps === 2) printer.print(sweep);
    if (!options.stream && sweeps === 2) stop(EXIT.OK);
  });

  const exitCode = await stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await monitor.close();
  if (printer.live) {
    showCursor();
    process.off('exit', showCursor);
  }
  process.stdout.off('error', onOutputError);
  return exitCode;
}
