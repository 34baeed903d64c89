/**
 * Plain output (no TTY, CI, NO_COLOR): one timestamped line per state change, a heartbeat for
 * long tasks, and the summary at the end. `quiet` shows only failures and the summary;
 * `verbose` also streams every task's output prefixed by its id.
 */
import type { BootstrapEvent, Reporter } from '../events.js';
import { formatMs } from '../process.js';
import { describeEvent, isoTime } from './describe.js';
import type { Style } from './style.js';
import { renderRunSummary, renderUndoSummary, type NextSteps } from './summary.js';
import { Tracker } from './tracker.js';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

export interface PlainOptions {
  write: (text: string) => void;
  style: Style;
  verbosity: Verbosity;
  next: NextSteps;
  /** Print a "still running" line for tasks running longer than this, every this often. Default 30 s. */
  heartbeatMs?: number;
  /** Timestamps on each line (default true). */
  timestamps?: boolean;
}

export class PlainReporter implements Reporter {
  readonly tracker = new Tracker();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly o: PlainOptions) {}

  private line(level: string, text: string): void {
    const s = this.o.style;
    const ts = this.o.timestamps === false ? '' : s.dim(isoTime(Date.now()).slice(11, 19)) + ' ';
    const painted = level === 'error' ? s.red(text) : level === 'warn' ? s.yellow(text) : text;
    this.o.write(`${ts}${painted}\n`);
  }

  log(e: BootstrapEvent): void {
    this.tracker.apply(e);
    const { verbosity } = this.o;
    if (e.type === 'run-started' || e.type === 'undo-started') this.startHeartbeat();
    if (e.type === 'task-output') {
      if (verbosity === 'verbose') this.o.write(`${this.o.style.dim(`[${e.task}]`)} ${e.line}\n`);
      return;
    }
    if (e.type === 'run-finished') {
      this.stopHeartbeat();
      this.o.write(renderRunSummary(this.tracker, this.o.style, this.o.next));
      return;
    }
    if (e.type === 'undo-finished') {
      this.stopHeartbeat();
      this.o.write(renderUndoSummary(this.tracker, this.o.style, this.o.next));
      return;
    }
    const d = describeEvent(e);
    if (d.level === 'debug' && verbosity !== 'verbose') return;
    if (verbosity === 'quiet' && d.level !== 'error') return;
    if (e.type === 'log' && e.level === 'error' && e.task && this.tracker.rows.get(e.task)?.state === 'failed' && e.message.startsWith(`task ${e.task} failed`)) return;
    this.line(d.level, d.text);
  }

  private startHeartbeat(): void {
    const every = this.o.heartbeatMs ?? 30_000;
    if (this.heartbeat || every <= 0 || this.o.verbosity === 'quiet') return;
    this.heartbeat = setInterval(() => {
      const now = Date.now();
      for (const r of this.tracker.rows.values()) {
        if ((r.state === 'running' || r.state === 'undoing') && r.start !== undefined && now - r.start >= every) {
          const what = r.progress ?? r.lastLine;
          this.line('info', `${r.id}: still ${r.state} (${formatMs(now - r.start)})${what ? ` · ${what}` : ''}`);
        }
      }
    }, every);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  close(): void {
    this.stopHeartbeat();
  }
}
