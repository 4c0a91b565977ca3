// The dashboard page (GET /) and its two assets, built from lib/dashboard/ into dist/dashboard/ with uPlot
// bundled in: the page loads nothing from outside the agent, and its Content-Security-Policy says so.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError, PAGE_HEADERS, send } from './http.js';
import type { Router } from './router.js';

// ESM build and sources: the directory from import.meta.url; CJS build: __dirname (see lib/native.ts).
const moduleUrl: string | undefined = import.meta.url;
const here = moduleUrl ? dirname(fileURLToPath(moduleUrl)) : __dirname;
/** dist/agent.js sits beside dist/dashboard/; lib/agent/dashboard.ts (tests) two levels below it. */
const ASSET_DIRS = [join(here, 'dashboard'), resolve(here, '../../dist/dashboard')];

const ASSETS = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/assets/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/assets/app.css': ['app.css', 'text/css; charset=utf-8'],
} as const;

interface Asset {
  body: Buffer;
  etag: string;
  type: string;
}

const loaded = new Map<string, Asset>();

function load(path: keyof typeof ASSETS): Asset {
  const cached = loaded.get(path);
  if (cached !== undefined) return cached;
  const [file, type] = ASSETS[path];
  for (const dir of ASSET_DIRS) {
    let body: Buffer;
    try {
      body = readFileSync(join(dir, file));
    } catch {
      continue;
    }
    const asset = { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    loaded.set(path, asset);
    return asset;
  }
  throw new HttpError(
    503,
    'ERR_DASHBOARD_MISSING',
    'The dashboard is not built into this copy of ctrstat (npm run build makes dist/dashboard/)',
  );
}

export function registerDashboardRoutes(router: Router): void {
  for (const path of Object.keys(ASSETS) as Array<keyof typeof ASSETS>) {
    router.get(path, ({ req, res }) => {
      const asset = load(path);
      const headers = { ETag: asset.etag, 'Cache-Control': 'no-cache', ...PAGE_HEADERS };
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      send(req, res, 200, asset.type, asset.body, headers);
    });
  }
}
