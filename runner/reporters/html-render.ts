/**
 * Renders {@link ReportData} as one self-contained HTML page (inline CSS, SVG and script).
 *
 * The page is written piece by piece to a sink (html.ts writes it to the file in 64 kB
 * blocks): at 10,000 tasks the page is ~7 MB, and building it as one string first (rows, their
 * join, the flattened page and its UTF-8 copy) made the report the peak of a run's memory.
 */
import { actualCriticalPath, Graph } from '../graph.js';
import { formatMs } from '../process.js';
import type { AppliedItem, OutputLine, Phase, ReportData, Span } from './html.js';
import { REPORT_CSS, REPORT_JS } from './html-style.js';
import { renderGraphSvg, type SvgNode } from './svg-graph.js';

/** Escape text for HTML content and attribute values. */
const SPECIAL = /[&<>"']/;
export function esc(s: unknown): string {
  const t = String(s);
  // Most text (ids, statuses, durations) has nothing to escape: one scan, no new strings.
  if (!SPECIAL.test(t)) return t;
  return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const time = (ts: number, fmt: 'time' | 'date' = 'time') => `<time data-ts="${ts}" data-fmt="${fmt}">${esc(new Date(ts).toISOString().replace('T', ' ').slice(fmt === 'date' ? 0 : 11, 19))}${fmt === 'date' ? ' UTC' : ''}</time>`;
const cls = (status: string | undefined) => (status ?? 'unfinished').replace(/[^a-z-]/g, '-').replace(/-+$/, '');

const STATUS_TEXT: Record<string, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  'skipped(condition)': 'skipped (condition false)',
  'skipped(satisfied)': 'already done',
  restored: 'done earlier (resumed)',
  undone: 'undone',
  'undo-failed': 'undo failed',
  'left-in-place': 'left in place',
};

function statusText(s: Span | undefined): string {
  if (!s) return 'not run';
  if (!s.status) return 'unfinished';
  if (s.status === 'failed' && s.reason && s.reason !== 'error') return `failed (${s.reason})`;
  return STATUS_TEXT[s.status] ?? s.status;
}

/** The critical path of a phase: the one the run reported, else computed from its spans. */
function criticalOf(p: Phase, needs: Map<string, string[]>): string[] {
  if (p.criticalPath) return p.criticalPath;
  if (p.kind !== 'run') return [];
  const graph = new Graph([...needs].map(([id, n]) => ({ id, needs: n.filter((x) => needs.has(x)) })));
  const timings = new Map<string, { start: number; end: number }>();
  for (const [id, s] of p.spans) if (s.end !== undefined && s.status !== 'restored' && graph.has(id)) timings.set(id, { start: s.start, end: s.end });
  return actualCriticalPath(graph, timings);
}

/** Tick spacing giving at most ~8 ticks over `total` ms. */
function tickStep(total: number): number {
  const steps = [100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000];
  return steps.find((s) => total / s <= 8) ?? 7_200_000;
}

/** Where the page goes, a piece at a time. */
export type Sink = (chunk: string) => void;

function timeline(p: Phase, critical: Set<string>, now: number, write: Sink): void {
  let end = Math.max(p.end ?? 0, p.start + (p.durationMs ?? 0), p.start + 1);
  for (const s of p.spans.values()) end = Math.max(end, s.end ?? now);
  const total = end - p.start;
  const pct = (ms: number) => ((ms / total) * 100).toFixed(3);
  const title =
    p.kind === 'run'
      ? `Run <code>${esc(p.id)}</code>${p.resumeOf ? ` <span class="muted">(resuming ${esc(p.resumeOf)})</span>` : ''}`
      : `${p.kind === 'rollback' ? 'Rollback' : 'Undo'} <code>${esc(p.id)}</code>`;
  write(`<h3>${title}${p.status ? `<span class="badge ${cls(p.status)}">${esc(p.status)}</span>` : ''} <span class="muted">${time(p.start)} – ${time(end)} · ${formatMs(total)}${p.fromJournal ? ' · from the journal' : ''}</span></h3>\n`);
  const step = tickStep(total);
  // The grid lines (one per tick after the first) are the tracks' background: one tile of
  // --grid per tick, with its line at the right edge (not repeated in each of 10,000 rows).
  write(`<div class="gantt" data-phase="${esc(p.kind)}" data-total-ms="${total}" style="--grid:${step < total ? pct(step) : 200}%">\n`);
  const ticks: string[] = [];
  for (let t = 0; t <= total; t += step) ticks.push(`<span class="${t === 0 ? 'first' : ''}" style="left:${pct(t)}%">${t === 0 ? time(p.start) : '+' + formatMs(t)}</span>`);
  write(`<div></div><div class="axis">${ticks.join('')}</div><div></div>`);
  const kind = esc(p.kind);
  for (const id of p.tasks) {
    const s = p.spans.get(id);
    const crit = critical.has(id);
    const eid = esc(id); // once per row, not three times
    const label = `\n<div class="label${crit ? ' critical' : ''}" data-task="${eid}" title="${crit ? 'on the critical path' : ''}">${eid}</div>\n`;
    if (!s) {
      write(`${label}<div class="track"></div><div class="dur"><span class="st not-run">not run</span></div>`);
      continue;
    }
    const sEnd = s.end ?? now;
    const dur = Math.max(0, sEnd - s.start);
    const bar =
      `<div class="bar ${cls(s.status)}${crit ? ' critical' : ''}" data-task="${eid}" data-phase="${kind}" data-status="${esc(s.status ?? 'unfinished')}" data-start-ms="${s.start - p.start}" data-ms="${dur}" ` +
      `style="left:${pct(s.start - p.start)}%;width:${pct(dur)}%" title="${esc(`${id}: ${statusText(s)} · ${formatMs(dur)}${s.attempts > 1 ? ` · ${s.attempts} attempts` : ''}${s.error ? ` · ${s.error}` : ''}`)}"></div>`;
    const retryTicks = p.retries.filter((r) => r.task === id).map((r) => `<div class="tick" style="left:${pct(r.ts - p.start)}%" title="${esc(`attempt ${r.attempt}/${r.maxAttempts} failed: ${r.error}`)}"></div>`);
    write(`${label}<div class="track">${bar}${retryTicks.join('')}</div>\n<div class="dur"><span class="st ${cls(s.status)}">${esc(statusText(s))}</span> ${s.status === 'restored' ? '' : formatMs(dur)}</div>`);
  }
  write('\n</div>');
}

function summaryCards(d: ReportData): string {
  const cards: string[] = [];
  for (const p of d.phases) {
    if (p.kind === 'run' && !p.fromJournal) {
      const counts = new Map<string, number>();
      for (const id of p.tasks) {
        const k = statusText(p.spans.get(id));
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      cards.push(`<div><b>${p.durationMs !== undefined ? formatMs(p.durationMs) : '—'}</b><span>run time</span></div>`);
      if (p.sumOfTaskMs !== undefined) {
        const saved = p.sumOfTaskMs - (p.durationMs ?? 0);
        cards.push(`<div><b>${formatMs(p.sumOfTaskMs)}</b><span>sum of task times${saved > 0 ? ` (parallelism saved ${formatMs(saved)})` : ''}</span></div>`);
      }
      for (const [k, n] of counts) cards.push(`<div><b>${n}</b><span>${esc(k)}</span></div>`);
      const crit = criticalOf(p, d.needs);
      if (crit.length) cards.push(`<div><b class="mono">${crit.map(esc).join(' → ')}</b><span>critical path</span></div>`);
    } else if (p.kind !== 'run') {
      const undone = p.tasks.filter((id) => p.spans.get(id)?.status === 'undone').length;
      cards.push(`<div><b>${undone}/${p.tasks.length}</b><span>${p.kind === 'rollback' ? 'rolled back' : 'undone'} in ${p.durationMs !== undefined ? formatMs(p.durationMs) : '—'}</span></div>`);
    }
  }
  return cards.length ? `<div class="cards">${cards.join('')}</div>` : '';
}

function failures(d: ReportData): string {
  const lastRun = [...d.phases].reverse().find((p) => p.kind === 'run' && !p.fromJournal);
  const lastUndo = [...d.phases].reverse().find((p) => p.kind !== 'run');
  const undoFailed = lastUndo ? lastUndo.tasks.filter((id) => ['undo-failed', 'left-in-place'].includes(lastUndo.spans.get(id)?.status ?? '')) : [];
  const runBad = lastRun && lastRun.status && lastRun.status !== 'succeeded';
  if (!d.failed.length && !undoFailed.length && !runBad) return '';
  const out: string[] = ['<section class="failure"><h2>What went wrong</h2>'];
  for (const f of d.failed) {
    out.push(`<h3>✗ <code>${esc(f.task)}</code> failed: ${esc(f.error)}</h3>`);
    if (f.lastLines.length) out.push(`<div class="muted">last ${f.lastLines.length} line(s) of output:</div><pre>${f.lastLines.map(esc).join('\n')}</pre>`);
  }
  for (const id of undoFailed) {
    const s = lastUndo!.spans.get(id)!;
    out.push(`<h3>✗ undo of <code>${esc(id)}</code>: ${esc(statusText(s))}${s.error ? ` — ${esc(s.error)}` : ''}</h3>`);
  }
  if (d.next.logPath) out.push(`<p>Full log: <code>${esc(d.next.logPath)}</code></p>`);
  if (runBad && d.next.resume) out.push(`<p>To resume where it stopped: <span class="cmd mono">${esc(d.next.resume)}</span></p>`);
  if (d.next.undo) out.push(`<p>${undoFailed.length ? 'To retry what is left' : 'To undo what it did'}: <span class="cmd mono">${esc(d.next.undo)}</span></p>`);
  out.push('</section>');
  return out.join('\n');
}

function applied(d: ReportData): string {
  const item = (a: AppliedItem) => `<li><code>${esc(a.task)}</code>${a.partial ? ' <span class="st unfinished">(started, did not finish)</span>' : ''} — undo: <code>${esc(a.undo)}</code>${a.error ? ` <span class="lvl-error">last undo failed: ${esc(a.error)}</span>` : ''}</li>`;
  const out = ['<section><h2>What was created, what is left</h2>'];
  const ran = d.phases.some((p) => p.kind === 'run' && !p.fromJournal);
  if (ran) out.push(`<h3>Created by this run (${d.created.length})</h3>`, d.created.length ? `<ul class="items">${d.created.map(item).join('')}</ul>` : '<p class="muted">Nothing with an undo step.</p>');
  const undonePhases = d.phases.filter((p) => p.kind !== 'run');
  for (const p of undonePhases) {
    const undone = p.tasks.filter((id) => p.spans.get(id)?.status === 'undone');
    out.push(`<h3>${p.kind === 'rollback' ? 'Rolled back' : 'Undone'} (${undone.length})</h3>`, undone.length ? `<ul class="items">${undone.map((id) => `<li><code>${esc(id)}</code></li>`).join('')}</ul>` : '<p class="muted">Nothing.</p>');
  }
  out.push(`<h3>Left in place (${d.left.length})</h3>`);
  out.push(d.left.length ? `<p class="muted">What <code>bootstrap undo</code> would remove, in this order:</p><ol class="items">${d.left.map(item).join('')}</ol>` : '<p class="muted">Nothing: no task is applied and not undone.</p>');
  out.push('</section>');
  return out.join('\n');
}

function outputLine(l: OutputLine): string {
  const prefix = l.phase === 'undo' ? '<span class="phase">[undo] </span>' : '';
  const text = esc(l.text);
  return l.stream === 'stdout' ? prefix + text : `${prefix}<span class="${l.stream}">${l.stream === 'progress' ? '» ' : ''}${text}</span>`;
}

function outputs(d: ReportData, write: Sink): void {
  const ids = [...new Set([...d.needs.keys(), ...d.phases.flatMap((p) => p.tasks)])];
  const failed = new Set(d.failed.map((f) => f.task));
  write('<section><h2>Output</h2>');
  let quiet = 0;
  for (const id of ids) {
    const o = d.outputs.get(id);
    let last: Span | undefined;
    for (let i = d.phases.length - 1; i >= 0 && !last; i--) last = d.phases[i]!.spans.get(id);
    // A task that printed nothing and has no error has nothing to show here (the timeline has
    // its status): 10,000 quiet tasks made 10,000 empty rows.
    if (!o && !last?.error && !failed.has(id)) {
      quiet++;
      continue;
    }
    write(`\n<details class="out" id="out-${esc(id)}"${failed.has(id) ? ' open' : ''}><summary>${esc(id)} <span class="st ${cls(last?.status)}">${esc(statusText(last))}</span> <span class="muted">${o ? `${o.lines.length + o.dropped} line(s)` : 'no output'}</span></summary>`);
    if (last?.error) write(`\n<div class="lvl-error mono">${esc(last.error)}</div>`);
    if (o) {
      write(`\n<pre>${o.dropped ? `<span class="muted">… ${o.dropped} earlier line(s) in run.log</span>\n` : ''}`);
      o.lines.forEach((l, i) => write(i ? '\n' + outputLine(l) : outputLine(l)));
      write('</pre>');
    }
    write('\n</details>');
  }
  if (quiet) write(`\n<p class="muted">${quiet === ids.length ? 'No task printed anything.' : `${quiet} other task(s) printed nothing.`}</p>`);
  write('\n</section>');
}

function logs(d: ReportData): string {
  const shown = d.logs.filter((l) => l.level === 'error' || l.level === 'warn');
  if (!shown.length) return '';
  const rows = shown.map((l) => `<tr><td class="muted">${time(l.ts)}</td><td class="lvl-${esc(l.level)}">${esc(l.level)}</td><td>${l.task ? `<code>${esc(l.task)}</code> ` : ''}${esc(l.message)}</td></tr>`);
  return `<section><h2>Warnings and errors</h2><table class="logs">${rows.join('')}</table></section>`;
}

/** Beyond this many tasks a drawing is unreadable and costs more than the rest of the page. */
export const MAX_DRAWN_TASKS = 1000;

function safeGraph(tasks: number, render: () => string): string {
  if (tasks > MAX_DRAWN_TASKS) {
    return `<p class="muted">${tasks} tasks are too many to draw here (at most ${MAX_DRAWN_TASKS}); <code>bootstrap graph &lt;playbook&gt; --format dot</code> gives the graph for Graphviz.</p>`;
  }
  try {
    return render();
  } catch (e) {
    return `<p class="muted">The graph cannot be drawn: ${esc((e as Error).message)}</p>`;
  }
}

/** The whole page, as one string (for tests and small reports). */
export function renderReport(d: ReportData): string {
  const parts: string[] = [];
  writeReport(d, (chunk) => void parts.push(chunk));
  return parts.join('');
}

/** The whole page, written to `write` a piece at a time. */
export function writeReport(d: ReportData, write: Sink): void {
  const now = d.generated;
  const last = d.phases[d.phases.length - 1];
  const runPhase = [...d.phases].reverse().find((p) => p.kind === 'run');
  const critical = new Set(runPhase ? criticalOf(runPhase, d.needs) : []);
  const drawGraph = () => {
    // Built only when drawn (at most MAX_DRAWN_TASKS tasks).
    let graph: Graph;
    try {
      graph = new Graph([...d.needs].map(([id, n]) => ({ id, needs: n.filter((x) => d.needs.has(x)) })));
    } catch {
      graph = new Graph([]);
    }
    const nodes = new Map<string, SvgNode>();
    const undoPhases = d.phases.filter((p) => p.kind !== 'run').reverse();
    for (const id of graph.ids) {
      const u = undoPhases.find((p) => p.spans.get(id)?.status === 'undone');
      const s = runPhase?.spans.get(id);
      const dur = s?.end !== undefined && s.status !== 'restored' ? formatMs(s.end - s.start) : undefined;
      nodes.set(id, { id, status: u ? 'undone' : s?.status, sub: dur });
    }
    return renderGraphSvg(graph, nodes, [...critical]);
  };
  const title = `${d.playbook.name || 'bootstrap'} — bootstrap report`;
  const cards = summaryCards(d);
  write(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${REPORT_CSS}</style></head>
<body>
<header><h1>${esc(d.playbook.name || 'bootstrap')}${last?.status ? `<span class="badge ${cls(last.status)}">${esc(last.kind === 'run' ? `run ${last.status}` : `${last.kind} ${last.status}`)}</span>` : ''}</h1>
<div class="meta">${d.playbook.file ? `${esc(d.playbook.file)} · ` : ''}${d.stateDir ? `state in ${esc(d.stateDir)} · ` : ''}report written ${time(now, 'date')}</div></header>
<main>
${cards ? `<section><h2>Summary</h2>${cards}</section>` : ''}
${failures(d)}
<section><h2>Timeline</h2>
`);
  d.phases.forEach((p, i) => {
    if (i) write('\n');
    timeline(p, p.kind === 'run' ? new Set(criticalOf(p, d.needs)) : new Set(), now, write);
  });
  write(`
<div class="legend"><span><i style="background:var(--ok)"></i>succeeded</span><span><i style="background:var(--fail)"></i>failed</span><span><i style="background:var(--skip)"></i>skipped / already done</span><span><i style="background:#9fd6b5"></i>done earlier (resume)</span><span><i style="background:var(--undo)"></i>undone</span><span><i style="background:var(--warn)"></i>retry / unfinished</span><span><i style="background:#fff;box-shadow:0 0 0 2px var(--crit)"></i>critical path ★</span></div>
</section>
<section><h2>Graph</h2><div class="graph-wrap">${safeGraph(d.needs.size, drawGraph)}</div></section>
${applied(d)}
`);
  outputs(d, write);
  write(`
${logs(d)}
</main>
<script>${REPORT_JS}</script>
</body></html>
`);
}
