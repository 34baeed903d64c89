/**
 * Builds the reporters for a run or an undo: run.log and report.html always; then `--json`
 * (NDJSON on stdout), or the live view on a terminal, or plain timestamped lines (no TTY, CI,
 * NO_COLOR, TERM=dumb, or `--quiet`).
 */
import path from 'node:path';
import type { EventBus, Reporter } from '../events.js';
import type { JournalWriter } from '../journal.js';
import type { JournalState } from '../state.js';
import { HtmlReporter } from '../reporters/html.js';
import { JsonReporter } from '../reporters/json.js';
import { LogFileReporter } from '../reporters/logfile.js';
import { PlainReporter, type Verbosity } from '../reporters/plain.js';
import { styleFor } from '../reporters/style.js';
import type { NextSteps } from '../reporters/summary.js';
import { CURSOR_SHOW } from '../reporters/terminal.js';
import { TickBuffer } from '../reporters/tick-buffer.js';
import { TtyReporter } from '../reporters/tty.js';
import type { Io } from './common.js';
import { displayPath, readState } from './common.js';

export interface OutputOptions {
  json?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

export interface BuiltReporters {
  /** The human view on stdout (absent with `--json`). */
  human?: PlainReporter | TtyReporter;
  /** Path of the HTML report written when the reporters close. */
  reportPath: string;
  close(): Promise<void>;
}

/** File name of the HTML report in the state dir. */
export const REPORT_FILE = 'report.html';

/** True when stdout gets the live view: a colour-capable terminal outside CI. */
export function useLiveView(io: Io, o: OutputOptions): boolean {
  const env = io.env;
  if (o.json || o.quiet) return false;
  if (!io.stdout.isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb' || env.CI || env.BOOTSTRAP_PLAIN) return false;
  return true;
}

export function buildReporters(
  io: Io,
  bus: EventBus,
  o: OutputOptions & { next: NextSteps; stateDir: string; journal?: JournalWriter; state?: () => JournalState },
): BuiltReporters {
  const all: Reporter[] = [];
  const logFile = new LogFileReporter(path.join(o.stateDir, 'run.log'));
  all.push(logFile);
  if (o.journal) {
    const journal = o.journal;
    // The journal keeps only ERROR messages.
    all.push({
      log: (e) => {
        if (e.type === 'log' && e.level === 'error') void journal.append({ type: 'log', level: 'error', message: e.message, task: e.task, ts: e.ts }).catch(() => {});
      },
    });
  }
  let human: PlainReporter | TtyReporter | undefined;
  let restoreCursor: (() => void) | undefined;
  // Lines (plain or --json) are written once per turn of the event loop; the live view paints
  // its own frames.
  const lines = new TickBuffer((s) => void io.stdout.write(s));
  if (o.json) all.push(new JsonReporter(lines.write));
  else if (useLiveView(io, o)) {
    const out = io.stdout as { write(s: string): unknown; columns?: number; rows?: number };
    human = new TtyReporter({
      write: (s) => io.stdout.write(s),
      style: styleFor(io.stdout, io.env),
      verbosity: o.verbose ? 'verbose' : 'normal',
      next: o.next,
      columns: () => out.columns ?? 80,
      rows: () => out.rows ?? 24,
    });
    all.push(human);
    // A forced exit (second Ctrl-C) skips close(): give the terminal its cursor back anyway.
    restoreCursor = () => void io.stdout.write(CURSOR_SHOW);
    process.once('exit', restoreCursor);
  } else {
    const verbosity: Verbosity = o.quiet ? 'quiet' : o.verbose ? 'verbose' : 'normal';
    const heartbeat = io.env.BOOTSTRAP_HEARTBEAT_MS ? Number(io.env.BOOTSTRAP_HEARTBEAT_MS) : undefined;
    human = new PlainReporter({ write: lines.write, style: styleFor(io.stdout, io.env), verbosity, next: o.next, heartbeatMs: heartbeat });
    all.push(human);
  }
  const reportPath = path.join(o.stateDir, REPORT_FILE);
  if (human) {
    // Where the HTML report is, under the summary (it is written when the reporters close).
    const style = styleFor(io.stdout, io.env);
    const say = human instanceof TtyReporter ? (s: string) => void io.stdout.write(s) : lines.write;
    all.push({ log: (e) => void ((e.type === 'run-finished' || e.type === 'undo-finished') && say(style.dim(`Report: ${displayPath(io, reportPath)}`) + '\n')) });
  }
  // Last, so it is written after the journal is closed and the console summary is out.
  all.push(new HtmlReporter({ file: reportPath, next: o.next, loadState: o.state ?? (() => readState(o.stateDir).state) }));
  for (const r of all) bus.add(r);
  return {
    human,
    reportPath,
    async close() {
      await bus.close();
      lines.close();
      if (restoreCursor) process.off('exit', restoreCursor);
    },
  };
}
