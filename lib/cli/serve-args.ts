// Command line of `ctrstat serve`: parsing and help text. Pure, so it is tested without running anything.
import { parseArgs } from 'node:util';
import { HOST_ROOT_OPTIONS, hostRootHelp, hostRoots, parseIntervalSeconds, UsageError } from './usage.js';
import type { HostOptions } from '../types.js';

export interface ServeOptions {
  /** "host:port" to listen on. */
  listen: string;
  /** Seconds between sweeps. */
  intervalSeconds: number;
  tokenFile: string | null;
  allowHosts: string[];
  insecure: boolean;
  /** Container label keys exported on /metrics. */
  labels: string[];
  network: boolean;
  /** Where the host's /proc and /sys and the runtimes' state are. */
  host: HostOptions;
}

export const SERVE_HELP = `Usage: ctrstat serve [options]

Serves container stats over HTTP, from one monitor that samples every
container on the machine: acadock-monitoring's API (/containers/...,
/host/usage), ctrstat's JSON (/api/v1/...), Prometheus metrics named as
cAdvisor names them (/metrics), /healthz, a live stream of every sweep
(/api/v1/stream as Server-Sent Events, /api/v1/ws as a WebSocket) and a
dashboard page at /.

Options:
  --listen <host:port>  Address to serve on (default: 127.0.0.1:4244)
  --interval <sec>      Seconds between samples (default: 1)
  --token-file <path>   Require "Authorization: Bearer <token>" with the token in
                        this file (else the CTRSTAT_TOKEN environment variable);
                        required on an address other than loopback
  --insecure            Serve on a non-loopback address without a token
  --allow-host <name>   Also answer requests whose Host header is <name>
                        (loopback names and IP addresses are always answered);
                        may be repeated
  --label <key>         Export the container label <key> as
                        container_label_<key> on /metrics; may be repeated
  --no-network          Do not read network counters (no namespace is entered)
${hostRootHelp(24)}
  -h, --help            Show this help

Prints the URL it serves on, then serves until SIGINT or SIGTERM (exit 0).
Exit status: 1 error (such as an address in use), 2 bad command line or
options, 77 permission denied (run as root).`;

export type ServeCommand = { kind: 'help' } | { kind: 'serve'; options: ServeOptions };

export function parseServeCommandLine(argv: readonly string[]): ServeCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        listen: { type: 'string' },
        interval: { type: 'string' },
        'token-file': { type: 'string' },
        insecure: { type: 'boolean' },
        'allow-host': { type: 'string', multiple: true },
        label: { type: 'string', multiple: true },
        'no-network': { type: 'boolean' },
        ...HOST_ROOT_OPTIONS,
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help) return { kind: 'help' };

  return {
    kind: 'serve',
    options: {
      listen: values.listen ?? '127.0.0.1:4244',
      intervalSeconds: parseIntervalSeconds(values.interval),
      tokenFile: values['token-file'] ?? null,
      allowHosts: values['allow-host'] ?? [],
      insecure: values.insecure ?? false,
      labels: values.label ?? [],
      network: !values['no-network'],
      host: hostRoots(values),
    },
  };
}
