/**
 * `run.log` in the state dir: every event at every level, one timestamped line each, task
 * output included. Appended across runs; written synchronously so a crash loses nothing.
 */
import fs from 'node:fs';
import type { BootstrapEvent, Reporter } from '../events.js';
import { describeEvent } from './describe.js';

export class LogFileReporter implements Reporter {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'a', 0o600);
  }

  log(event: BootstrapEvent): void {
    if (this.fd === undefined) return;
    const ts = new Date(event.ts).toISOString();
    let line: string;
    if (event.type === 'task-output') line = `${ts} DEBUG [${event.task}${event.phase === 'undo' ? ' undo' : ''}] ${event.stream === 'stderr' ? '! ' : ''}${event.line}`;
    else {
      const d = describeEvent(event);
      line = `${ts} ${d.level.toUpperCase().padEnd(5)} ${d.text}`;
    }
    try {
      fs.writeSync(this.fd, line.replace(/\n/g, '\n    ') + '\n');
    } catch {
      // A full disk must not take the run down with it; the journal reports write failures.
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
