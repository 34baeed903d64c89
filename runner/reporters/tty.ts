/**
 * The live view on a terminal: every task of the graph with its state and elapsed time, a
 * spinner and the last output line of the running ones, retries and timeouts, redrawn in place
 * a dozen times a second (so long tasks visibly stay alive). Messages worth keeping (warnings,
 * failures, retries, and with `verbose` every output line) are printed above the live block;
 * at the end the block is erased and the summary table printed, so nothing is left behind.
 */
import type { BootstrapEvent, Reporter } from '../events.js';
import { formatMs } from '../process.js';
import { describeEvent, firstLine } from './describe.js';
import type { Style } from './style.js';
import { renderRunSummary, renderUndoSummary, type NextSteps } from './summary.js';
import { CLEAR_DOWN, CLEAR_LINE, CURSOR_HIDE, CURSOR_SHOW, cleanLine, padVisible, spinnerFrame, truncate, up } from './terminal.js';
import { Tracker, type TaskRow } from './tracker.js';

export interface TtyOptions {
  write: (text: string) => void;
  style: Style;
  /** `verbose` also prints every output line above the live block, prefixed by its task. */
  verbosity: 'normal' | 'verbose';
  next: NextSteps;
  /** Width and height of the terminal now (they may change while the run goes on). */
  columns: () => number;
  rows: () => number;
  /** Redraw period (default 80 ms). 0 disables the timer (tests call {@link TtyReporter.render}). */
  frameMs?: number;
  now?: () => number;
}

type UndoState = 'waiting' | 'undoing' | 'undone' | 'undo-failed' | 'left-in-place';

interface Retry {
  attempt: number;
  maxAttempts: number;
  error: string;
}

export class TtyReporter implements Reporter {
  readonly tracker = new Tracker();
  private timer: NodeJS.Timeout | undefined;
  /** Lines of the live block on screen now. */
  private drawn = 0;
  private phase: 'idle' | 'run' | 'undo' = 'idle';
  private title = '';
  private phaseStart = 0;
  private readonly reasons = new Map<string, string>();
  private readonly retries = new Map<string, Retry>();
  /** The latest output line or progress message of each task. */
  private readonly latest = new Map<string, string>();
  private undoScope: string[] = [];
  private readonly undoAfter = new Map<string, string[]>();
  private readonly undoState = new Map<string, UndoState>();
  private cursorHidden = false;
  private queued: string[] = [];
  private flushing: NodeJS.Immediate | undefined;

  constructor(private readonly o: TtyOptions) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  log(e: BootstrapEvent): void {
    this.tracker.apply(e);
    const s = this.o.style;
    switch (e.type) {
      case 'run-started':
        this.phase = 'run';
        this.phaseStart = e.ts;
        this.title = e.playbook.name;
        this.commit(s.bold(`▶ ${e.playbook.name}`) + s.dim(` · run ${e.runId}${e.resumeOf ? ` resuming ${e.resumeOf}` : ''} · ${e.tasks.length} tasks · concurrency ${e.concurrency}`));
        this.start();
        return;
      case 'undo-started':
        this.phase = 'undo';
        this.phaseStart = e.ts;
        this.undoScope = e.tasks.map((t) => t.id);
        for (const t of e.tasks) {
          this.undoAfter.set(t.id, t.after);
          this.undoState.set(t.id, 'waiting');
        }
        this.title = e.reason === 'rollback' ? 'rollback' : 'undo';
        this.commit(s.bold(`↺ ${this.title}`) + s.dim(` · ${e.undoId} · ${e.tasks.length} task(s) to undo`));
        this.start();
        return;
      case 'task-output': {
        const clean = cleanLine(e.line);
        if (clean) this.latest.set(e.task, clean);
        if (this.o.verbosity === 'verbose') this.queue(`${s.dim(`[${e.task}${e.phase === 'undo' ? ' undo' : ''}]`)} ${e.line}`);
        return;
      }
      case 'task-started':
        if (e.attempt === 1) this.retries.delete(e.task);
        this.latest.delete(e.task);
        this.draw();
        return;
      case 'task-retry':
        this.retries.set(e.task, { attempt: e.attempt, maxAttempts: e.maxAttempts, error: firstLine(e.error) });
        this.commit(s.yellow(`↻ ${e.task}: attempt ${e.attempt}/${e.maxAttempts} failed (${firstLine(e.error)}); retrying in ${formatMs(e.delayMs)}`));
        return;
      case 'task-finished':
        if (e.reason) this.reasons.set(e.task, e.reason);
        if (e.status === 'failed') {
          const why = e.reason === 'timeout' ? 'timed out' : e.reason === 'precondition' ? 'precondition failed' : e.reason === 'interrupted' ? 'interrupted' : 'failed';
          this.commit(s.red(`✗ ${e.task} ${why} after ${formatMs(e.durationMs)}${e.error ? `: ${firstLine(e.error)}` : ''}`));
        } else this.draw();
        return;
      case 'task-undo-started':
        this.undoState.set(e.task, 'undoing');
        this.latest.delete(e.task);
        this.draw();
        return;
      case 'task-undo-finished':
        this.undoState.set(e.task, e.status);
        if (e.status === 'undo-failed') this.commit(s.red(`✗ undo of ${e.task} failed${e.error ? `: ${firstLine(e.error)}` : ''}`));
        else this.draw();
        return;
      case 'run-finished':
        this.finish(renderRunSummary(this.tracker, s, this.o.next));
        return;
      case 'undo-finished':
        this.finish(renderUndoSummary(this.tracker, s, this.o.next));
        return;
      case 'log': {
        if (e.level === 'debug') return;
        // The failure itself is shown by task-finished / task-undo-finished.
        if (e.level === 'error' && e.task && /^(task \S+ failed|undo of \S+ failed)/.test(e.message)) return;
        const d = describeEvent(e);
        const paint = e.level === 'error' ? s.red : e.level === 'warn' ? s.yellow : s.dim;
        this.commit(paint(`${e.level === 'error' ? '✗ ' : e.level === 'warn' ? '! ' : ''}${d.text}`));
        return;
      }
      case 'task-progress':
        this.latest.set(e.task, cleanLine(e.message));
        this.draw();
        return;
    }
  }

  /** Start redrawing on a timer (once per phase). */
  private start(): void {
    if (!this.cursorHidden) {
      this.o.write(CURSOR_HIDE);
      this.cursorHidden = true;
    }
    const every = this.o.frameMs ?? 80;
    if (!this.timer && every > 0) {
      this.timer = setInterval(() => this.draw(), every);
      this.timer.unref();
    }
    this.draw();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Print lines above the live block (which is redrawn below them). */
  private commit(text: string): void {
    // Committed lines are printed once, so long ones may wrap: only the live block must fit.
    this.o.write(this.erase() + this.takeQueued() + text + '\n' + this.frame());
  }

  /**
   * Output lines (`verbose`) are gathered and printed together on the next turn of the event
   * loop: one redraw of the block per burst of output, not one per line.
   */
  private queue(line: string): void {
    this.queued.push(line);
    if (this.flushing) return;
    this.flushing = setImmediate(() => this.draw());
  }

  private takeQueued(): string {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    const text = this.queued.length ? this.queued.join('\n') + '\n' : '';
    this.queued = [];
    return text;
  }

  private draw(): void {
    if (this.phase === 'idle' && !this.queued.length) return;
    this.o.write(this.erase() + this.takeQueued() + this.frame());
  }

  /** Sequence that moves to the top of the live block and clears it. */
  private erase(): string {
    const s = this.drawn ? up(this.drawn) + CLEAR_DOWN : '';
    this.drawn = 0;
    return s;
  }

  /** The live block as text, remembering its height. */
  private frame(): string {
    if (this.phase === 'idle') return '';
    const lines = this.render();
    this.drawn = lines.length;
    return lines.map((l) => l + CLEAR_LINE + '\n').join('');
  }

  /** The lines of the live block now (each fits the terminal width). */
  render(): string[] {
    const width = Math.max(20, this.o.columns());
    const maxLines = Math.max(3, this.o.rows() - 2);
    const now = this.now();
    const ids = this.phase === 'undo' ? this.undoScope : [...this.tracker.rows.keys()];
    const idWidth = Math.min(32, Math.max(4, ...ids.map((id) => id.length)));
    const rows = ids.map((id) => this.taskLine(id, idWidth, now));
    let body = rows.map((r) => r.text);
    if (body.length > maxLines - 1) {
      // Too many tasks for the screen: keep the active and failed ones, count the rest.
      const keep = rows.filter((r) => r.active || r.bad).slice(0, maxLines - 2);
      const rest = rows.length - keep.length;
      body = [...keep.map((r) => r.text), this.o.style.dim(`  … ${rest} more (${this.counts(ids)})`)];
    }
    return [this.header(ids, now), ...body].map((l) => truncate(l, width - 1));
  }

  private counts(ids: string[]): string {
    const c = new Map<string, number>();
    for (const id of ids) {
      const k = this.phase === 'undo' ? this.undoState.get(id) ?? 'waiting' : bucket(this.tracker.row(id));
      c.set(k, (c.get(k) ?? 0) + 1);
    }
    return [...c].map(([k, n]) => `${n} ${k}`).join(', ');
  }

  private header(ids: string[], now: number): string {
    const s = this.o.style;
    const done =
      this.phase === 'undo'
        ? ids.filter((id) => ['undone', 'undo-failed', 'left-in-place'].includes(this.undoState.get(id) ?? '')).length
        : ids.filter((id) => !['pending', 'running'].includes(this.tracker.row(id).state)).length;
    const running = this.phase === 'undo' ? ids.filter((id) => this.undoState.get(id) === 'undoing').length : ids.filter((id) => this.tracker.row(id).state === 'running').length;
    return `${s.cyan(spinnerFrame(now))} ${s.bold(this.title)}  ${done}/${ids.length} done${running ? ` · ${running} running` : ''} · ${formatMs(Math.max(0, now - this.phaseStart))}`;
  }

  private taskLine(id: string, idWidth: number, now: number): { text: string; active: boolean; bad: boolean } {
    const s = this.o.style;
    const r = this.tracker.row(id);
    const name = id.length > idWidth ? id.slice(0, idWidth - 1) + '…' : id.padEnd(idWidth);
    const elapsed = (from?: number, to?: number) => (from === undefined ? '' : formatMs(Math.max(0, (to ?? now) - from)));
    const line = (sym: string, status: string, time: string, detail = '') => `  ${sym} ${name}  ${padVisible(status, 13)} ${time.padStart(6)}${detail ? '  ' + detail : ''}`;

    if (this.phase === 'undo') {
      const st = this.undoState.get(id) ?? 'waiting';
      if (st === 'undoing') return { text: line(s.cyan(spinnerFrame(now)), s.cyan('undoing'), elapsed(r.start), this.detail(r)), active: true, bad: false };
      if (st === 'undone') return { text: line(s.green('↺'), s.green('undone'), elapsed(r.start, r.end)), active: false, bad: false };
      if (st === 'undo-failed') return { text: line(s.red('✗'), s.red('undo failed'), elapsed(r.start, r.end), s.red(firstLine(r.error ?? ''))), active: false, bad: true };
      if (st === 'left-in-place') return { text: line(s.yellow('!'), s.yellow('left in place'), ''), active: false, bad: true };
      const after = (this.undoAfter.get(id) ?? []).filter((a) => !['undone', 'undo-failed', 'left-in-place'].includes(this.undoState.get(a) ?? ''));
      return { text: s.dim(line('·', 'waiting', '', after.length ? `after ${after.join(', ')}` : '')), active: false, bad: false };
    }

    const reason = this.reasons.get(id);
    switch (r.state) {
      case 'running': {
        const retry = this.retries.get(id);
        if (r.retryUntil !== undefined && now < r.retryUntil && retry) {
          return { text: line(s.yellow('↻'), s.yellow('retrying'), elapsed(r.start), s.yellow(`attempt ${retry.attempt + 1}/${retry.maxAttempts} in ${formatMs(r.retryUntil - now)} · ${retry.error}`)), active: true, bad: false };
        }
        const attempt = retry ? s.yellow(`attempt ${r.attempts}/${retry.maxAttempts}`) + ' ' : '';
        return { text: line(s.cyan(spinnerFrame(now)), s.cyan('running'), elapsed(r.start), attempt + this.detail(r)), active: true, bad: false };
      }
      case 'succeeded':
        return { text: line(s.green('✓'), r.restored ? s.green('done earlier') : s.green('succeeded'), r.restored ? '' : elapsed(r.start, r.end)), active: false, bad: false };
      case 'failed': {
        const what = reason === 'timeout' ? 'timed out' : reason === 'precondition' ? 'blocked' : reason === 'interrupted' ? 'interrupted' : 'failed';
        return { text: line(s.red('✗'), s.red(what), elapsed(r.start, r.end), s.red(firstLine(r.error ?? ''))), active: false, bad: true };
      }
      case 'skipped(satisfied)':
        return { text: s.dim(line('○', 'already done', '')), active: false, bad: false };
      case 'skipped(condition)':
        return { text: s.dim(line('○', 'skipped', '', 'condition false')), active: false, bad: false };
      default: {
        const waiting = r.needs.filter((n) => ['pending', 'running'].includes(this.tracker.row(n).state));
        const stopped = this.tracker.runFinished !== undefined || [...this.tracker.rows.values()].some((x) => x.state === 'failed');
        return { text: s.dim(line('·', stopped && !waiting.length ? 'not started' : 'waiting', '', waiting.length ? `for ${waiting.join(', ')}` : '')), active: false, bad: false };
      }
    }
  }

  /** The latest progress message or output line of a running task. */
  private detail(r: TaskRow): string {
    const text = this.latest.get(r.id);
    return text ? this.o.style.dim(`│ ${text}`) : '';
  }

  private finish(summary: string): void {
    this.stop();
    this.phase = 'idle';
    this.o.write(this.erase() + this.takeQueued() + summary);
  }

  close(): void {
    this.stop();
    const rest = this.erase() + this.takeQueued();
    this.phase = 'idle';
    if (this.cursorHidden) {
      this.o.write(rest + CURSOR_SHOW);
      this.cursorHidden = false;
    } else if (rest) this.o.write(rest);
  }
}

function bucket(r: TaskRow): string {
  if (r.state === 'pending') return 'waiting';
  if (r.state.startsWith('skipped')) return 'skipped';
  return r.state;
}

