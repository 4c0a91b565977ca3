// The agent's dashboard: one Server-Sent Events stream (/api/v1/stream) for every container, a table
// updated in place each sweep, and uPlot charts of a few minutes of one container's history. Built into
// dist/dashboard/app.js (uPlot bundled in); served by the agent under its Content-Security-Policy.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import {
  HISTORY_SERIES,
  historyValues,
  type HistoryAnswer,
  type StreamRow,
  type StreamSweep,
} from '../agent/stream-protocol.js';

// What the stream sends: the agent's own types (erased at build time).
type Row = StreamRow;
type SweepMessage = StreamSweep;

/** Points kept per container: five minutes at one sweep a second. */
const HISTORY = 300;
/** Time (s since the epoch), then the series the agent keeps too. */
const SERIES = ['t', ...HISTORY_SERIES] as const;
type SeriesName = (typeof SERIES)[number];
type History = Record<SeriesName, Array<number | null>>;

interface Entry {
  row: Row;
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
  history: History;
  /** Whether the agent's history of it was asked for (once, when its charts first open). */
  historyAsked: boolean;
}

const KIB = 1024;
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

function bytes(value: number | null): string {
  if (value === null) return '–';
  let unit = 0;
  let scaled = value;
  while (scaled >= KIB && unit < UNITS.length - 1) {
    scaled /= KIB;
    unit++;
  }
  return `${scaled.toFixed(unit === 0 || scaled >= 100 ? 0 : 1)} ${UNITS[unit]}`;
}

const rate = (value: number | null | undefined): string => (value == null ? '–' : `${bytes(value)}/s`);
const percent = (value: number | null | undefined): string => (value == null ? '–' : `${value.toFixed(1)} %`);

interface Column {
  key: string;
  label: string;
  title?: string;
  numeric: boolean;
  text(row: Row): string;
  sort(row: Row): number | string;
}

const num = (value: number | null | undefined): number => value ?? -1;

const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', numeric: false, text: (r) => r.name ?? '–', sort: (r) => r.name ?? r.id },
  { key: 'id', label: 'ID', numeric: false, text: (r) => r.id.slice(0, 12), sort: (r) => r.id },
  { key: 'runtime', label: 'Runtime', numeric: false, text: (r) => r.runtime, sort: (r) => r.runtime },
  { key: 'image', label: 'Image', numeric: false, text: (r) => r.image ?? '–', sort: (r) => r.image ?? '' },
  {
    key: 'pod',
    label: 'Pod',
    title: 'Kubernetes namespace/pod',
    numeric: false,
    text: (r) => (r.kubernetes === null ? '–' : `${r.kubernetes.namespace}/${r.kubernetes.pod}`),
    sort: (r) => (r.kubernetes === null ? '' : `${r.kubernetes.namespace}/${r.kubernetes.pod}`),
  },
  {
    key: 'cpu',
    label: 'CPU',
    title: 'CPU % (one busy core is 100 %)',
    numeric: true,
    text: (r) => percent(r.cpu.percent),
    sort: (r) => num(r.cpu.percent),
  },
  {
    key: 'cpuLimit',
    label: 'CPU/limit',
    title: 'CPU as % of the CPU limit (quota or cpuset)',
    numeric: true,
    text: (r) => percent(r.cpu.percentOfLimit),
    sort: (r) => num(r.cpu.percentOfLimit),
  },
  {
    key: 'memory',
    label: 'Memory',
    title: 'Working set / limit',
    numeric: true,
    text: (r) => `${bytes(r.memory.usage)} / ${r.memory.limit === null ? '∞' : bytes(r.memory.limit)}`,
    sort: (r) => r.memory.usage,
  },
  {
    key: 'memoryPercent',
    label: 'Mem %',
    title: 'Working set as % of the limit (of the host memory when unlimited)',
    numeric: true,
    text: (r) => percent(r.memory.percent),
    sort: (r) => num(r.memory.percent),
  },
  {
    key: 'rx',
    label: 'Net rx',
    numeric: true,
    text: (r) => rate(r.network?.rxBytesPerSec),
    sort: (r) => num(r.network?.rxBytesPerSec),
  },
  {
    key: 'tx',
    label: 'Net tx',
    numeric: true,
    text: (r) => rate(r.network?.txBytesPerSec),
    sort: (r) => num(r.network?.txBytesPerSec),
  },
  {
    key: 'read',
    label: 'Block read',
    numeric: true,
    text: (r) => rate(r.blkio.readBytesPerSec),
    sort: (r) => num(r.blkio.readBytesPerSec),
  },
  {
    key: 'write',
    label: 'Block write',
    numeric: true,
    text: (r) => rate(r.blkio.writeBytesPerSec),
    sort: (r) => num(r.blkio.writeBytesPerSec),
  },
  {
    key: 'pids',
    label: 'PIDs',
    numeric: true,
    text: (r) => (r.pids.limit === null ? String(r.pids.current) : `${r.pids.current} / ${r.pids.limit}`),
    sort: (r) => r.pids.current,
  },
  {
    key: 'psi',
    label: 'PSI',
    title: 'Pressure stall, some avg10 %: cpu / memory / io (cgroup v2 only)',
    numeric: true,
    text: (r) =>
      r.pressure === null
        ? '–'
        : [r.pressure.cpu, r.pressure.memory, r.pressure.io].map((v) => (v === null ? '–' : v.toFixed(1))).join(' / '),
    sort: (r) => num(r.pressure?.cpu),
  },
];

const $ = <T extends HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`the page has no ${selector}`);
  return found;
};

const table = $<HTMLTableElement>('#containers');
const tbody = table.tBodies[0]!;
const headRow = table.tHead!.rows[0]!;
const statusEl = $<HTMLParagraphElement>('#status');
const filterEl = $<HTMLInputElement>('#filter');
const emptyEl = $<HTMLParagraphElement>('#empty');
const sweepInfo = $<HTMLSpanElement>('#sweep-info');
const detail = $<HTMLElement>('#detail');
const detailTitle = $<HTMLHeadingElement>('#detail-title');

const entries = new Map<string, Entry>();
let sortKey = 'name';
let sortDescending = false;
let filterText = '';
let selected: string | null = null;
let charts: Array<{ name: string; plot: uPlot; series: SeriesName[] }> = [];
let order: string[] = [];

function emptyHistory(): History {
  return Object.fromEntries(SERIES.map((name) => [name, []])) as unknown as History;
}

function push(history: History, row: Row, t: number): void {
  const values: Record<SeriesName, number | null> = { t, ...historyValues(row) };
  for (const name of SERIES) {
    const list = history[name];
    list.push(values[name]);
    if (list.length > HISTORY) list.splice(0, list.length - HISTORY);
  }
}

/**
 * The agent's kept sweeps of a container put before what this page has seen of it (the charts then
 * start minutes back instead of when the page opened). Asked once per container; a failure leaves the
 * charts as they are.
 */
async function loadHistory(entry: Entry): Promise<void> {
  entry.historyAsked = true;
  let answer: HistoryAnswer;
  try {
    const response = await fetch(`/api/v1/containers/${encodeURIComponent(entry.row.id)}/history`, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) return;
    answer = (await response.json()) as HistoryAnswer;
  } catch {
    return;
  }
  if (entries.get(entry.row.id) !== entry) return;
  const first = (entry.history.t[0] as number | undefined) ?? Infinity;
  // Only what is older than this page's first point of it: the rest the stream gave already.
  let count = 0;
  while (count < answer.t.length && answer.t[count]! / 1000 < first) count++;
  if (count === 0) return;
  const room = Math.max(0, HISTORY - entry.history.t.length);
  const from = Math.max(0, count - room);
  entry.history.t.unshift(...answer.t.slice(from, count).map((ms) => ms / 1000));
  for (const name of HISTORY_SERIES) entry.history[name].unshift(...answer.series[name].slice(from, count));
  if (selected === entry.row.id) updateCharts(entry);
}

function buildHeader(): void {
  for (const column of COLUMNS) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.dataset.col = column.key;
    if (column.numeric) th.className = 'num';
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = column.label;
    if (column.title !== undefined) button.title = column.title;
    button.addEventListener('click', () => {
      if (sortKey === column.key) sortDescending = !sortDescending;
      else {
        sortKey = column.key;
        sortDescending = column.numeric;
      }
      render();
    });
    th.append(button);
    headRow.append(th);
  }
}

function createEntry(row: Row): Entry {
  const tr = document.createElement('tr');
  tr.dataset.id = row.id;
  const cells = COLUMNS.map((column) => {
    const td = document.createElement('td');
    td.dataset.col = column.key;
    if (column.numeric) td.className = 'num';
    tr.append(td);
    return td;
  });
  // The name opens the charts: a button, so that it is reachable and usable from the keyboard.
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'open';
  open.setAttribute('aria-controls', 'detail');
  open.setAttribute('aria-expanded', 'false');
  cells[0]!.append(open);
  tr.addEventListener('click', () => select(selected === row.id ? null : row.id));
  return { row, tr, cells, history: emptyHistory(), historyAsked: false };
}

function updateCells(entry: Entry): void {
  COLUMNS.forEach((column, i) => {
    const text = column.text(entry.row);
    const target = i === 0 ? (entry.cells[0]!.firstElementChild as HTMLElement) : entry.cells[i]!;
    if (target.textContent !== text) target.textContent = text;
  });
}

function matchesFilter(row: Row): boolean {
  if (filterText === '') return true;
  const haystack = [row.name, row.id, row.image, row.runtime, row.kubernetes?.namespace, row.kubernetes?.pod]
    .filter((part) => part != null)
    .join(' ')
    .toLowerCase();
  return filterText
    .toLowerCase()
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

function render(): void {
  const column = COLUMNS.find((c) => c.key === sortKey) ?? COLUMNS[0]!;
  const visible = [...entries.values()].filter((entry) => matchesFilter(entry.row));
  visible.sort((a, b) => {
    const x = column.sort(a.row);
    const y = column.sort(b.row);
    const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return (sortDescending ? -cmp : cmp) || a.row.id.localeCompare(b.row.id);
  });
  const next = visible.map((entry) => entry.row.id);
  // Rows move only when the order changed, so that focus and selection stay where they are.
  if (next.length !== order.length || next.some((id, i) => id !== order[i])) {
    tbody.replaceChildren(...visible.map((entry) => entry.tr));
    order = next;
  }
  for (const th of headRow.cells) {
    const key = th.dataset.col;
    if (key === sortKey) th.setAttribute('aria-sort', sortDescending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
  emptyEl.hidden = visible.length > 0;
}

const clock = (seconds: number): string =>
  new Date(seconds * 1000).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });

const css = (name: string): string => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

function chartOptions(name: string, labels: string[], colors: string[], width: number): uPlot.Options {
  const isBytes = name === 'memory' || name === 'network' || name === 'blkio';
  const axis = { stroke: css('--fg-muted'), grid: { stroke: css('--grid') }, ticks: { stroke: css('--grid') } };
  const floor = isBytes ? KIB : name === 'cpu' ? 100 : 1;
  return {
    width,
    height: 160,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(max, floor)] } },
    axes: [
      { ...axis, space: 90, values: (_u, ticks) => ticks.map((t) => clock(t)) },
      { ...axis, size: 70, values: (_u, ticks) => ticks.map((v) => (isBytes ? bytes(v) : `${v}`)) },
    ],
    series: [
      {},
      ...labels.map((label, i) => ({
        label,
        stroke: colors[i],
        width: 1.5,
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => (v == null ? '–' : isBytes ? bytes(v) : v.toFixed(1)),
      })),
    ],
  };
}

const CHARTS: Array<{ name: string; series: SeriesName[]; labels: string[]; colors: string[] }> = [
  { name: 'cpu', series: ['cpu'], labels: ['CPU %'], colors: ['--c1'] },
  { name: 'memory', series: ['memory', 'memoryLimit'], labels: ['working set', 'limit'], colors: ['--c1', '--c3'] },
  { name: 'network', series: ['rx', 'tx'], labels: ['rx', 'tx'], colors: ['--c1', '--c2'] },
  { name: 'blkio', series: ['read', 'write'], labels: ['read', 'write'], colors: ['--c1', '--c2'] },
  {
    name: 'pressure',
    series: ['psiCpu', 'psiMemory', 'psiIo'],
    labels: ['cpu', 'memory', 'io'],
    colors: ['--c1', '--c2', '--c3'],
  },
];

function chartData(history: History, series: SeriesName[]): uPlot.AlignedData {
  return [history.t as number[], ...series.map((name) => history[name])];
}

function closeCharts(): void {
  for (const chart of charts) chart.plot.destroy();
  charts = [];
}

function select(id: string | null): void {
  if (selected !== null) entries.get(selected)?.tr.classList.remove('selected');
  for (const button of tbody.querySelectorAll('button.open')) button.setAttribute('aria-expanded', 'false');
  closeCharts();
  selected = id;
  const entry = id === null ? undefined : entries.get(id);
  if (entry === undefined) {
    selected = null;
    detail.hidden = true;
    return;
  }
  entry.tr.classList.add('selected');
  entry.cells[0]!.firstElementChild!.setAttribute('aria-expanded', 'true');
  detailTitle.textContent = `${entry.row.name ?? entry.row.id.slice(0, 12)} · ${entry.row.runtime}`;
  detail.dataset.id = entry.row.id;
  detail.hidden = false;
  for (const spec of CHARTS) {
    const figure = detail.querySelector<HTMLElement>(`figure[data-chart="${spec.name}"]`)!;
    const width = Math.max(240, figure.clientWidth - 8);
    const colors = spec.colors.map(css);
    const plot = new uPlot(
      chartOptions(spec.name, spec.labels, colors, width),
      chartData(entry.history, spec.series),
      figure,
    );
    charts.push({ name: spec.name, plot, series: spec.series });
  }
  updateCharts(entry);
  detail.scrollIntoView({ block: 'nearest' });
  if (!entry.historyAsked) void loadHistory(entry);
}

function updateCharts(entry: Entry): void {
  for (const chart of charts) {
    chart.plot.setData(chartData(entry.history, chart.series));
    // The newest value of the first series and the points shown, for a reader that does not look at the canvas.
    const last = entry.history[chart.series[0]!].at(-1);
    const figure = chart.plot.root.parentElement!;
    figure.dataset.last = last == null ? '' : String(last);
    figure.dataset.points = String(entry.history.t.length);
  }
}

function onSweep(message: SweepMessage): void {
  const started = performance.now();
  try {
    applySweep(message);
  } finally {
    // Script time per sweep, for the benchmark (performance.getEntriesByName('ctrstat:sweep')).
    performance.measure('ctrstat:sweep', { start: started });
    if (performance.getEntriesByName('ctrstat:sweep').length > HISTORY) performance.clearMeasures('ctrstat:sweep');
  }
}

function applySweep(message: SweepMessage): void {
  const t = message.timestamp / 1000;
  const seen = new Set<string>();
  for (const row of message.containers) {
    seen.add(row.id);
    let entry = entries.get(row.id);
    if (entry === undefined) {
      entry = createEntry(row);
      entries.set(row.id, entry);
    }
    entry.row = row;
    push(entry.history, row, t);
    updateCells(entry);
  }
  for (const [id, entry] of entries) {
    if (seen.has(id)) continue;
    entry.tr.remove();
    entries.delete(id);
    if (selected === id) select(null);
  }
  order = order.filter((id) => entries.has(id));
  render();
  const entry = selected === null ? undefined : entries.get(selected);
  if (entry !== undefined) updateCharts(entry);

  const latency = Math.round(Date.now() - (message.timestamp + message.durationMs));
  document.body.dataset.latencyMs = String(latency);
  document.body.dataset.sweeps = String(Number(document.body.dataset.sweeps ?? 0) + 1);
  const time = new Date(message.timestamp).toLocaleTimeString();
  statusEl.textContent = `live · ${message.containers.length} containers · ${time}`;
  sweepInfo.textContent =
    `sweep ${message.durationMs.toFixed(1)} ms, delivered ${latency} ms after it ended` +
    (message.skipped > 0 ? ` · ${message.skipped} sweeps skipped (this page fell behind)` : '');
}

function connect(): void {
  const source = new EventSource('/api/v1/stream');
  source.addEventListener('sweep', (event) =>
    onSweep(JSON.parse((event as MessageEvent<string>).data) as SweepMessage),
  );
  source.addEventListener('removed', (event) => {
    const { container } = JSON.parse((event as MessageEvent<string>).data) as { container: { id: string } };
    const entry = entries.get(container.id);
    if (entry === undefined) return;
    entry.tr.remove();
    entries.delete(container.id);
    if (selected === container.id) select(null);
  });
  source.addEventListener('open', () => {
    statusEl.textContent = 'live · waiting for the first sweep';
  });
  source.addEventListener('error', () => {
    // EventSource reconnects by itself while the agent answers; a refusal (401) closes it.
    statusEl.textContent =
      source.readyState === EventSource.CLOSED ? 'disconnected (reload to retry)' : 'reconnecting…';
  });
}

buildHeader();
filterEl.addEventListener('input', () => {
  filterText = filterEl.value.trim();
  render();
});
$<HTMLButtonElement>('#detail-close').addEventListener('click', () => select(null));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && selected !== null) select(null);
});
window.addEventListener('resize', () => {
  for (const chart of charts) {
    const figure = chart.plot.root.parentElement!;
    chart.plot.setSize({ width: Math.max(240, figure.clientWidth - 8), height: 160 });
  }
});
render();
connect();
