// The dashboard in a real browser (Debian's chromium, driven by playwright-core; nothing downloaded)
// against a real agent and real containers: no console error, rows for the containers, a busy container's
// CPU cell and chart near 100 %, a memory limit and its %, rows that come and go live, sorting, filtering
// and the keyboard, charts that open with the agent's kept sweeps, and no data for a page without the token. A screenshot is kept in .artifacts/.
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../lib/agent/index.js';
import { ensureTestImage, TEST_IMAGE, withContainers } from '../helpers/docker.js';
import { findCommand, requireCommand, requireDocker, requireRoot } from '../helpers/env.js';

const ready = requireRoot() && requireDocker() && requireCommand('chromium');
const TOKEN = 'dashboard-token-0123456789abcdef';
const ARTIFACTS = '.artifacts';
const MIB = 1024 * 1024;

/** Waits until `read` gives a value `accept` takes; fails with the last value read. */
async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.skipIf(!ready)('the dashboard in Chromium, on a real agent and real containers', () => {
  const containers = withContainers('ctm-dash-');
  let agent: Agent;
  let url: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const requested: string[] = [];
  const c: Record<'busy' | 'limited' | 'idle', { id: string; name: string }> = {
    busy: { id: '', name: '' },
    limited: { id: '', name: '' },
    idle: { id: '', name: '' },
  };

  const row = (id: string) => page.locator(`#containers > tbody > tr[data-id="${id}"]`);
  const cell = (id: string, col: string) => row(id).locator(`td[data-col="${col}"]`);
  const percentIn = async (id: string, col: string) => Number.parseFloat(await cell(id, col).innerText());

  beforeAll(async () => {
    await ensureTestImage();
    const args = {
      busy: ['sh', '-c', 'while :; do :; done'],
      limited: ['sh', '-c', 'head -c 20m /dev/zero > /dev/shm/fill; sleep 3600'],
      idle: ['sleep', '3600'],
    };
    for (const key of ['busy', 'limited', 'idle'] as const) {
      const name = containers.name(key);
      // The busy one gets a large CPU weight, so that the browser and the agent do not take its core.
      const extra = key === 'limited' ? ['--memory', '64m'] : key === 'busy' ? ['--cpu-shares', '8192'] : [];
      const { id } = await containers.run(['--name', name, ...extra, TEST_IMAGE, ...args[key]]);
      c[key] = { id, name };
    }
    agent = createAgent({ listen: '127.0.0.1:0', interval: 500, token: TOKEN });
    ({ url } = await agent.listen());
    browser = await chromium.launch({
      executablePath: findCommand('chromium')!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(String(error)));
    page.on('request', (request) => requested.push(request.url()));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await containers.removeAll();
  }, 60_000);

  it('gives a page without the token no data', async () => {
    const other = await browser.newPage();
    try {
      const response = await other.goto(url);
      expect(response?.status()).toBe(401);
      expect(await other.locator('h1').innerText()).toContain('token is required');
      const stream = await other.evaluate(async () => (await fetch('/api/v1/stream')).status);
      expect(stream).toBe(401);
      expect(await other.locator('#containers > tbody > tr').count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('opens with ?token=, drops it from the address and shows a row per container', async () => {
    await page.goto(`${url}?token=${TOKEN}`);
    expect(new URL(page.url()).search).toBe('');
    for (const { id, name } of Object.values(c)) {
      await row(id).waitFor({ timeout: 30_000 });
      expect(await cell(id, 'name').innerText()).toBe(name);
      expect(await cell(id, 'id').innerText()).toBe(id.slice(0, 12));
      expect(await cell(id, 'runtime').innerText()).toBe('docker');
      expect(await cell(id, 'image').innerText()).toBe(TEST_IMAGE);
    }
  }, 60_000);

  it("shows a busy container's CPU near 100 %, in its cell and in its chart", async () => {
    // One core spinning: Docker's CPU % reads 100 (2 cores on this machine: at most 200). The browser and
    // the agent share the machine with it, hence "above 70".
    const cpu = await until(
      () => percentIn(c.busy.id, 'cpu'),
      (v) => v > 70,
      'the busy CPU cell',
    );
    expect(cpu).toBeLessThan(125);
    await cell(c.busy.id, 'name').locator('button').click();
    await expect.poll(() => page.locator('#detail').isVisible()).toBe(true);
    expect(await page.locator('#detail-title').innerText()).toContain(c.busy.name);
    const charted = await until(
      async () => Number(await page.locator('figure[data-chart="cpu"]').getAttribute('data-last')),
      (v) => v > 70,
      'the CPU chart',
    );
    expect(charted).toBeLessThan(125);
    expect(await page.locator('figure[data-chart="cpu"] canvas').count()).toBe(1);
  }, 60_000);

  it('shows a memory limit and the usage as % of it', async () => {
    const text = await cell(c.limited.id, 'memory').innerText();
    expect(text).toMatch(/ \/ 64\.0 MiB$/);
    const percent = await until(
      () => percentIn(c.limited.id, 'memoryPercent'),
      (v) => v > 20,
      'memory % of the limit',
    );
    // 20 MiB of tmpfs in a 64 MiB container: about 31 %, under the limit.
    expect(percent).toBeGreaterThan((20 * MIB * 100) / (64 * MIB) - 5);
    expect(percent).toBeLessThan(100);
    expect(await cell(c.idle.id, 'memory').innerText()).toMatch(/ \/ ∞$/);
  }, 60_000);

  it('sorts by a column, filters as one types, and works from the keyboard', async () => {
    await page.locator('th[data-col="cpu"] button').click();
    expect(await page.locator('th[data-col="cpu"]').getAttribute('aria-sort')).toBe('descending');
    // Highest first (other containers may be busy too): the cells read in order never increase.
    const shown = (await page.locator('#containers > tbody > tr > td[data-col="cpu"]').allInnerTexts()).map((t) =>
      t === '–' ? -1 : Number.parseFloat(t),
    );
    expect(shown.length).toBeGreaterThanOrEqual(3);
    expect(shown.every((v, i) => i === 0 || v <= shown[i - 1]!)).toBe(true);
    const ids = await page.locator('#containers > tbody > tr').evaluateAll((rows) => rows.map((r) => r.dataset.id));
    expect(ids.indexOf(c.busy.id)).toBeLessThan(ids.indexOf(c.idle.id));

    await page.locator('#filter').fill(c.limited.name);
    await expect.poll(() => page.locator('#containers > tbody > tr').count()).toBe(1);
    expect(await page.locator('#containers > tbody > tr').first().getAttribute('data-id')).toBe(c.limited.id);
    await page.locator('#filter').fill('');
    await expect.poll(() => page.locator('#containers > tbody > tr').count()).toBeGreaterThanOrEqual(3);

    // Escape closes the charts; Tab reaches a container's button, Enter opens its charts.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#detail').isVisible()).toBe(false);
    await page.locator('#filter').focus();
    let focused = '';
    for (let i = 0; i < 40 && focused !== c.idle.id; i++) {
      await page.keyboard.press('Tab');
      // Run in the page (a string: this file is type-checked without the DOM's types).
      focused = await page.evaluate<string>(
        "document.activeElement?.classList.contains('open') ? (document.activeElement.closest('tr')?.dataset.id ?? '') : ''",
      );
    }
    expect(focused).toBe(c.idle.id);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#detail').getAttribute('data-id')).toBe(c.idle.id);
    expect(await page.locator('#detail').isVisible()).toBe(true);
  }, 60_000);

  it('adds a container started while the page is open and drops one that is removed', async () => {
    const name = containers.name('late');
    const late = await containers.run(['--name', name, TEST_IMAGE, 'sleep', '3600']);
    await row(late.id).waitFor({ timeout: 30_000 });
    expect(await cell(late.id, 'name').innerText()).toBe(name);

    await containers.remove(c.idle.id);
    await row(c.idle.id).waitFor({ state: 'detached', timeout: 30_000 });
    // Its charts were open (previous test): they close with it.
    await expect.poll(() => page.locator('#detail').isVisible()).toBe(false);
  }, 60_000);

  it("opens a container's charts with the sweeps the agent kept before the page opened", async () => {
    const kept = async () =>
      (
        (await (
          await fetch(`${url}api/v1/containers/${c.limited.id}/history`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          })
        ).json()) as { t: number[] }
      ).t.length;
    // The agent has swept since the suite began (every 500 ms): well before this page opens.
    const before = await until(kept, (n) => n >= 6, 'six kept sweeps');
    const other = await page.context().newPage();
    try {
      await other.goto(url);
      const own = other.locator(`#containers > tbody > tr[data-id="${c.limited.id}"]`);
      await own.waitFor({ timeout: 30_000 });
      await own.locator('td[data-col="name"] button').click();
      const figure = other.locator('figure[data-chart="memory"]');
      // More points than the page has seen sweeps: the agent's went before them.
      const shown = await until(
        async () => ({
          points: Number(await figure.getAttribute('data-points')),
          seen: Number(await other.evaluate<string | undefined>('document.body.dataset.sweeps')),
        }),
        ({ points, seen }) => points >= before && points > seen,
        'the kept sweeps in the chart',
      );
      expect(shown.points).toBeLessThanOrEqual(300);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('follows the system colour scheme: dark and light', async () => {
    const background = async (colorScheme: 'dark' | 'light') => {
      // A page of the same browser context: its session cookie is there, no token needed again.
      const other = await page.context().newPage();
      try {
        await other.emulateMedia({ colorScheme });
        await other.goto(url);
        await other.locator('#containers > tbody > tr').first().waitFor();
        return await other.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      } finally {
        await other.close();
      }
    };
    const luminance = (rgb: string) => {
      const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    expect(luminance(await background('dark'))).toBeLessThan(60);
    expect(luminance(await background('light'))).toBeGreaterThan(200);
  }, 60_000);

  it('ran without a console error, loaded nothing from outside the agent, and leaves a screenshot', async () => {
    await cell(c.busy.id, 'name').locator('button').click();
    await page.waitForTimeout(1500);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
    expect(problems).toEqual([]);
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((address) => !address.startsWith(url) && !address.startsWith('data:'))).toEqual([]);
  }, 30_000);
});
