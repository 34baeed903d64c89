/**
 * `run.log` in the state dir: every event at every level, one timestamped line each, task
 * output included. Appended across runs, synchronously, once per turn of the event loop (and at
 * exit), so a crash loses at most the lines of its last moment; the journal loses nothing.
 */
import fs from 'node:fs';
import type { BootstrapEvent, Reporter } from '../events.js';
import { describeEvent, isoTime } from './describe.js';
import { TickBuffer } from './tick-buffer.js';

export class LogFileReporter implements Reporter {
  private fd: number | undefined;
  private readonly out: TickBuffer;

  constructor(readonly path: string) {
    const fd = (this.fd = fs.openSync(path, 'a', 0o600));
    this.out = new TickBuffer((s) => {
      try {
        fs.writeSync(fd, s);
      } catch {
        // A full disk must not take the run down with it; the journal reports write failures.
      }
    });
  }

  log(event: BootstrapEvent): void {
    if (this.fd === undefined) return;
    const ts = isoTime(event.ts);
    let line: string;
    if (event.type === 'task-output') line = `${ts} DEBUG [${event.task}${event.phase === 'undo' ? ' undo' : ''}] ${event.stream === 'stderr' ? '! ' : ''}${event.line}`;
    else {
      const d = describeEvent(event);
      line = `${ts} ${d.level.toUpperCase().padEnd(5)} ${d.text}`;
    }
    this.out.write((line.includes('\n') ? line.replace(/\n/g, '\n    ') : line) + '\n');
  }

  close(): void {
    if (this.fd === undefined) return;
    this.out.close();
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
