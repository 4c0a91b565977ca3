// What both commands (ctrstat and ctrstat serve) share: exit statuses, the usage error, --interval and the
// options that say where the host's files and the runtimes' state are.
import { CtrstatError } from '../errors.js';
import type { HostOptions } from '../types.js';

/** Exit statuses of the command. */
export const EXIT = {
  OK: 0,
  /** A runtime failure: unknown container, no cgroup filesystem, an unexpected error. */
  FAILURE: 1,
  /** A bad command line. */
  USAGE: 2,
  /** The kernel refused access: run as root (sysexits EX_NOPERM). */
  PERMISSION: 77,
} as const;

/** A bad command line; the message says what is wrong. */
export class UsageError extends CtrstatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_USAGE', message, options);
  }
}

/** --interval: a positive number of seconds, 1 when not given. */
export function parseIntervalSeconds(text: string | undefined): number {
  if (text === undefined) return 1;
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--interval must be a positive number of seconds; got "${text}"`);
  }
  return seconds;
}

/** The options both commands take for where the host's files and the runtimes' state are (parseArgs). */
export const HOST_ROOT_OPTIONS = {
  'proc-root': { type: 'string' },
  'sys-root': { type: 'string' },
  'docker-root': { type: 'string' },
  'containerd-root': { type: 'string', multiple: true },
  'podman-root': { type: 'string', multiple: true },
} as const;

/** Their lines in a help text, the descriptions from `column` on. */
export function hostRootHelp(column: number): string {
  const entries: Array<[string, string]> = [
    ['--proc-root <dir>', "The host's /proc as seen here (default: /proc)"],
    ['--sys-root <dir>', "The host's /sys as seen here (default: /sys)"],
    ['--docker-root <dir>', "Docker's data root as seen here, for names (default: /var/lib/docker)"],
    [
      '--containerd-root <dir>',
      "A containerd task state directory as seen here, for containerd's and Kubernetes' names (default: /run/containerd/io.containerd.runtime.v2.task and Docker's own containerd's); may be repeated",
    ],
    [
      '--podman-root <dir>',
      'A containers/storage root as seen here, for Podman and CRI-O names (default: /var/lib/containers/storage, /run/containers/storage); may be repeated',
    ],
  ];
  const width = 80 - column;
  return entries
    .map(([flag, text]) => {
      const lines: string[] = [];
      let line = '';
      for (const word of text.split(' ')) {
        if (line !== '' && line.length + 1 + word.length > width) {
          lines.push(line);
          line = word;
        } else line = line === '' ? word : `${line} ${word}`;
      }
      lines.push(line);
      const head = `  ${flag}`;
      const first =
        head.length < column ? `${head.padEnd(column)}${lines[0]}` : `${head}\n${' '.repeat(column)}${lines[0]}`;
      return [first, ...lines.slice(1).map((rest) => `${' '.repeat(column)}${rest}`)].join('\n');
    })
    .join('\n');
}

/** The host roots given on a command line, as the library takes them (it checks that they are absolute). */
export function hostRoots(values: {
  'proc-root'?: string;
  'sys-root'?: string;
  'docker-root'?: string;
  'containerd-root'?: string[];
  'podman-root'?: string[];
}): HostOptions {
  return {
    procRoot: values['proc-root'],
    sysRoot: values['sys-root'],
    dockerRoot: values['docker-root'],
    containerdRoots: values['containerd-root'],
    podmanRoots: values['podman-root'],
  };
}
