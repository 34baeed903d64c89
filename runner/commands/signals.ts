/**
 * Ctrl-C and SIGTERM: the first signal aborts (no new starts, running process groups are
 * terminated, the journal records the interruption, exit 130); a second one forces the exit at
 * once, killing every child group, with the journal left readable (whole lines only).
 */
import { setMaxListeners } from 'node:events';
import type { EventBus } from '../events.js';
import type { JournalWriter } from '../journal.js';
import { killAllNow } from '../process.js';
import { EXIT } from '../exit-codes.js';

export interface SignalHandle {
  signal: AbortSignal;
  dispose(): void;
}

export function installSignalHandlers(bus: EventBus, journal?: JournalWriter): SignalHandle {
  const ac = new AbortController();
  // Every running task listens to this signal: at --concurrency above 10, Node would otherwise
  // print a MaxListenersExceededWarning (a false alarm: the listeners are removed as tasks end).
  setMaxListeners(0, ac.signal);
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      bus.emit({ type: 'log', level: 'warn', message: `${sig}: stopping — no new tasks start, running ones are terminated (press Ctrl-C again to force)` });
      ac.abort('interrupted');
      return;
    }
    killAllNow();
    journal?.closeSync();
    process.stderr.write(`\nbootstrap: forced exit (${sig}); the journal is readable: resume with --resume or run bootstrap undo\n`);
    process.exit(EXIT.INTERRUPTED);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
