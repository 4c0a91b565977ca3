// `ctrstat serve`: the agent on its own server until SIGINT or SIGTERM, then a clean stop (exit 0).
import { readFile } from 'node:fs/promises';
import { createAgent } from '../agent/index.js';
import { InvalidOptionError } from '../errors.js';
import { EXIT } from './usage.js';
import type { ServeOptions } from './serve-args.js';

/** The token: the file's content (trailing newline dropped), else $CTRSTAT_TOKEN, else none. */
async function loadToken(tokenFile: string | null, environment: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (tokenFile === null) return environment.CTRSTAT_TOKEN || undefined;
  let text: string;
  try {
    text = await readFile(tokenFile, 'utf8');
  } catch (err) {
    throw new InvalidOptionError('--token-file', (err as Error).message);
  }
  return text.trim();
}

export async function serve(options: ServeOptions): Promise<number> {
  const token = await loadToken(options.tokenFile, process.env);
  const agent = createAgent({
    listen: options.listen,
    interval: options.intervalSeconds * 1000,
    token,
    insecure: options.insecure,
    allowHosts: options.allowHosts,
    labels: options.labels,
    network: options.network,
    ...options.host,
  });
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { url } = await agent.listen();
    process.stdout.write(`Serving on ${url}\n`);
    // The token is not printed: it would end up in logs. A browser shows it once, then keeps a cookie.
    process.stdout.write(
      token === undefined
        ? `Dashboard: ${url}\n`
        : `Dashboard: ${url}?token=<token> (once; the browser then keeps a session cookie)\n`,
    );
    // Each failure once: a sweep every second would otherwise repeat it every second.
    const reported = new Set<string>();
    agent.monitor.on('sweep', (sweep) => {
      for (const error of sweep.errors) {
        if (reported.has(error.message)) continue;
        reported.add(error.message);
        process.stderr.write(`ctrstat: warning: ${error.message}\n`);
      }
    });
    await stopped;
    return EXIT.OK;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await agent.close();
  }
}
