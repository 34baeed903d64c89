/**
 * `report.html` in the state dir, written after every run and undo: a self-contained page with
 * a Gantt timeline of the tasks (and undos) on the real clock, the graph with its critical path,
 * each task's output, and what was created and what is left to undo.
 *
 * The reporter only collects events (already masked by the bus) and, on close, reads the journal
 * for what is applied, renders the page and replaces the file atomically.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BootstrapEvent, Reporter } from '../events.js';
import { writeAllSync, type UndoSpec } from '../journal.js';
import type { JournalState } from '../state.js';
import { planUndo } from '../undo.js';
import { writeReport } from './html-render.js';
import type { NextSteps } from './summary.js';

/** A task's bar in one phase of the timeline. */
export interface Span {
  start: number;
  end?: number;
  /** succeeded, failed, skipped(condition), skipped(satisfied), restored, undone, undo-failed, left-in-place. */
  status?: string;
  reason?: string;
  attempts: number;
  error?: string;
}

/** One timeline: a run, an undo or a rollback. */
export interface Phase {
  kind: 'run' | 'undo' | 'rollback';
  id: string;
  start: number;
  end?: number;
  status?: string;
  /** Row order. */
  tasks: string[];
  spans: Map<string, Span>;
  retries: Array<{ task: string; ts: number; attempt: number; maxAttempts: number; error: string }>;
  /** Read back from the journal (no output lines), not seen live. */
  fromJournal?: boolean;
  durationMs?: number;
  sumOfTaskMs?: number;
  criticalPath?: string[];
  resumeOf?: string;
}

export interface OutputLine {
  ts: number;
  stream: 'stdout' | 'stderr' | 'progress';
  phase: 'run' | 'undo';
  text: string;
}

/** What was applied: the task and a readable form of its undo step. */
export interface AppliedItem {
  task: string;
  undo: string;
  partial: boolean;
  error?: string;
}

/** Everything the page shows. */
export interface ReportData {
  playbook: { name: string; file?: string };
  stateDir?: string;
  /** The graph: each task's needs, in declaration order. */
  needs: Map<string, string[]>;
  phases: Phase[];
  outputs: Map<string, { lines: OutputLine[]; dropped: number }>;
  logs: Array<{ ts: number; level: string; message: string; task?: string }>;
  failed: Array<{ task: string; error: string; lastLines: string[] }>;
  /** Applied by the runs of this report (undo would remove them). */
  created: AppliedItem[];
  /** Everything the journal says is applied and not undone, in undo order. */
  left: AppliedItem[];
  next: NextSteps;
  generated: number;
}

export interface HtmlReportOptions {
  /** The file to write (`<state dir>/report.html`). */
  file: string;
  next: NextSteps;
  /** Reads the journal when the report is written (after it is closed). */
  loadState?: () => JournalState | undefined;
  /** Output lines kept per task (the latest ones). Default 500. */
  maxLines?: number;
  now?: () => number;
}

export class HtmlReporter implements Reporter {
  private readonly data: ReportData;
  private current: Phase | undefined;
  private seen = false;
  /** The ids in each phase's `tasks`, for lookups that stay fast at 10,000 tasks. */
  private readonly rows = new WeakMap<Phase, Set<string>>();

  constructor(private readonly o: HtmlReportOptions) {
    this.data = { playbook: { name: '' }, needs: new Map(), phases: [], outputs: new Map(), logs: [], failed: [], created: [], left: [], next: o.next, generated: 0 };
  }

  log(e: BootstrapEvent): void {
    const d = this.data;
    switch (e.type) {
      case 'run-started':
        this.seen = true;
        d.playbook = { ...e.playbook };
        d.stateDir = e.stateDir;
        for (const t of e.tasks) d.needs.set(t.id, [...t.needs]);
        this.current = { kind: 'run', id: e.runId, start: e.ts, tasks: e.tasks.map((t) => t.id), spans: new Map(), retries: [], resumeOf: e.resumeOf };
        d.phases.push(this.current);
        break;
      case 'undo-started':
        this.seen = true;
        this.current = { kind: e.reason, id: e.undoId, start: e.ts, tasks: e.tasks.map((t) => t.id), spans: new Map(), retries: [] };
        d.phases.push(this.current);
        break;
      case 'task-started': {
        const s = this.span(e.task, e.ts);
        if (s) s.attempts = e.attempt;
        break;
      }
      case 'task-undo-started': {
        const s = this.span(e.task, e.ts);
        if (s) s.attempts = e.attempt;
        break;
      }
      case 'task-retry':
        this.current?.retries.push({ task: e.task, ts: e.ts, attempt: e.attempt, maxAttempts: e.maxAttempts, error: e.error });
        break;
      case 'task-finished': {
        const s = this.span(e.task, e.ts - e.durationMs);
        if (!s) break;
        s.end = e.ts;
        s.status = e.restored ? 'restored' : e.status === 'skipped' ? `skipped(${e.reason})` : e.status;
        s.reason = e.reason;
        s.attempts = e.attempts;
        s.error = e.error;
        break;
      }
      case 'task-undo-finished': {
        const s = this.span(e.task, e.ts - e.durationMs);
        if (!s) break;
        s.end = e.ts;
        s.status = e.status;
        s.error = e.error;
        break;
      }
      case 'task-output':
        this.line(e.task, { ts: e.ts, stream: e.stream, phase: e.phase ?? 'run', text: e.line });
        break;
      case 'task-progress':
        this.line(e.task, { ts: e.ts, stream: 'progress', phase: this.current?.kind === 'run' ? 'run' : 'undo', text: e.message });
        break;
      case 'run-finished':
        if (this.current?.kind === 'run') Object.assign(this.current, { end: e.ts, status: e.status, durationMs: e.durationMs, sumOfTaskMs: e.sumOfTaskMs, criticalPath: e.criticalPath });
        d.failed = e.failed;
        break;
      case 'undo-finished':
        if (this.current && this.current.kind !== 'run') {
          Object.assign(this.current, { end: e.ts, status: e.status, durationMs: e.durationMs });
          // Tasks kept because something that needs them was not undone get no event of their own.
          for (const id of e.leftInPlace) {
            if (this.current.spans.has(id)) continue;
            const s = this.span(id, e.ts)!;
            Object.assign(s, { end: e.ts, status: 'left-in-place', error: e.reasons[id] });
          }
        }
        break;
      case 'log':
        if (e.level !== 'debug') d.logs.push({ ts: e.ts, level: e.level, message: e.message, task: e.task });
        break;
    }
  }

  private span(task: string, start: number): Span | undefined {
    const p = this.current;
    if (!p) return undefined;
    let s = p.spans.get(task);
    if (!s) {
      s = { start, attempts: 0 };
      p.spans.set(task, s);
      let rows = this.rows.get(p);
      if (!rows) this.rows.set(p, (rows = new Set(p.tasks)));
      if (!rows.has(task)) {
        rows.add(task);
        p.tasks.push(task);
      }
    }
    return s;
  }

  private line(task: string, l: OutputLine): void {
    let o = this.data.outputs.get(task);
    if (!o) this.data.outputs.set(task, (o = { lines: [], dropped: 0 }));
    o.lines.push(l);
    if (o.lines.length > (this.o.maxLines ?? 500)) {
      o.lines.shift();
      o.dropped++;
    }
  }

  /** The data the page is rendered from (exposed for tests). */
  snapshot(): ReportData {
    const d = this.data;
    d.generated = this.o.now?.() ?? Date.now();
    let state: JournalState | undefined;
    try {
      state = this.o.loadState?.();
    } catch {
      state = undefined;
    }
    if (state) fillFromJournal(d, state, new Set(d.phases.filter((p) => p.kind === 'run').map((p) => p.id)));
    return d;
  }

  /** Write the page (atomically: a temp file renamed over the old one). */
  close(): void {
    if (!this.seen) return;
    const data = this.snapshot();
    const tmp = `${this.o.file}.${process.pid}.tmp`;
    let fd: number | undefined;
    try {
      fs.mkdirSync(path.dirname(this.o.file), { recursive: true });
      fd = fs.openSync(tmp, 'w', 0o600);
      // In blocks of ~64 kB as it is rendered: the page of 10,000 tasks is never one string.
      let block = '';
      writeReport(data, (chunk) => {
        block += chunk;
        if (block.length >= 65_536) {
          writeAllSync(fd!, block);
          block = '';
        }
      });
      writeAllSync(fd, block);
      fs.closeSync(fd);
      fd = undefined;
      fs.renameSync(tmp, this.o.file);
    } catch {
      // The report is a convenience: a full disk or a removed state dir must not fail the run.
      try {
        if (fd !== undefined) fs.closeSync(fd);
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing more to do
      }
    }
  }
}

/** A readable one-line form of an undo step. */
export function describeUndo(u: UndoSpec | null | undefined): string {
  if (!u) return '(no undo step)';
  if (u.kind === 'shell') {
    let i = 0;
    // Show the values the step will use; secret ones stay references.
    return u.source.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => {
      const v = u.values[i++];
      return v === undefined ? m : typeof v === 'string' ? v : `\${{ ${v.$secret.replace(/^\$\{\{\s*|\s*\}\}$/g, '')} }}`;
    });
  }
  if (u.kind === 'none') return '(no undo step)';
  return `uses ${u.uses} (its own undo)`;
}

/** Add what the journal knows: applied tasks, and the run an undo reversed when it was not seen live. */
function fillFromJournal(d: ReportData, state: JournalState, runIds: Set<string>): void {
  const chain = new Set<string>();
  for (const id of runIds) {
    let cur = state.runs.find((r) => r.id === id);
    while (cur && !chain.has(cur.id)) {
      chain.add(cur.id);
      cur = cur.resumeOf ? state.runs.find((r) => r.id === cur!.resumeOf) : undefined;
    }
  }
  const item = (a: { task: string; undo?: UndoSpec | null; partial: boolean; lastUndoError?: string }): AppliedItem => ({ task: a.task, undo: describeUndo(a.undo), partial: a.partial, error: a.lastUndoError });
  // A task without an undo step (and no notes) has nothing to remove: not worth listing.
  const real = (a: { undo?: UndoSpec | null; notes: Record<string, unknown> }) => Boolean(a.undo) || Object.keys(a.notes).length > 0;
  d.left = planUndo(state).tasks.filter(real).map(item);
  d.created = [...state.applied.values()].filter((a) => chain.has(a.run) && real(a)).map(item);
  if (!d.phases.some((p) => p.kind === 'run')) {
    // An undo on its own: show the run it reverses (the latest one) from the journal.
    const undone = new Set(d.phases.flatMap((p) => p.tasks));
    const run = [...state.runs].reverse().find((r) => [...r.tasks.keys()].some((t) => undone.has(t))) ?? state.runs[state.runs.length - 1];
    if (run) {
      if (!d.playbook.name) d.playbook = { name: run.playbook.name, file: run.playbook.file };
      if (d.needs.size === 0) for (const [id, n] of run.needs) d.needs.set(id, n);
      const spans = new Map<string, Span>();
      for (const [id, t] of run.tasks) {
        if (t.start === undefined) continue;
        spans.set(id, { start: t.start, end: t.end, status: t.restored ? 'restored' : t.status === 'skipped' ? `skipped(${t.reason})` : t.status === 'running' ? undefined : t.status, reason: t.reason, attempts: t.attempts, error: t.error });
      }
      d.phases.unshift({ kind: 'run', id: run.id, start: run.start, end: run.end, status: run.status, tasks: [...run.needs.keys()], spans, retries: [], fromJournal: true, durationMs: run.end ? run.end - run.start : undefined });
    }
  }
  if (!d.playbook.name && state.runs.length) d.playbook = { name: state.runs[state.runs.length - 1].playbook.name };
}
