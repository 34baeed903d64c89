/** `bootstrap undo [playbook]`: reverse what the journal says was applied, newest dependents first. */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { realClock } from '../../tasks/context.js';
import { EventBus } from '../events.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { JournalWriteError } from '../journal.js';
import { Masker } from '../secrets.js';
import { stopSpawnHelper } from '../spawn-server.js';
import { planUndo } from '../undo.js';
import { checkWritable, commandLine, defaultConcurrency, journalFailure, lockStateDir, displayPath, loadKinds, openJournal, readState, stateDirFor, type Io } from './common.js';
import { buildReporters, type OutputOptions } from './output.js';
import { installSignalHandlers } from './signals.js';
import { killOrphans, runUndo } from './undo-runner.js';

export interface UndoOptions extends OutputOptions {
  stateDir?: string;
  force?: boolean;
  purge?: boolean;
  concurrency?: number;
}

/** The playbook's name, read leniently: undo must work even if the file has changed or broken. */
export function playbookName(io: Io, file: string): string {
  const abs = path.resolve(io.cwd, file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch {
    throw new CliError(`playbook not found: ${file}`, EXIT.BAD_INPUT, 'pass --state-dir to undo without the playbook file');
  }
  try {
    const doc = parseYaml(text) as { name?: unknown };
    if (typeof doc?.name === 'string' && doc.name) return doc.name;
  } catch {
    /* fall through */
  }
  throw new CliError(`cannot read the name of ${file}`, EXIT.BAD_INPUT, 'pass --state-dir to undo without the playbook file');
}

export async function undoCommand(io: Io, file: string | undefined, opts: UndoOptions, argv: string[]): Promise<ExitCode> {
  const stateDir = stateDirFor(io, opts.stateDir, file ? playbookName(io, file) : undefined);
  if (!fs.existsSync(path.join(stateDir, 'journal.jsonl'))) {
    io.stdout.write(`nothing to undo: no journal in ${displayPath(io, stateDir)}\n`);
    return EXIT.OK;
  }
  checkWritable(stateDir);
  const lock = lockStateDir(stateDir, commandLine(['bootstrap', ...argv]));
  let purge = false;
  let next = { logPath: '', undo: '' };
  try {
    const { state, records, warnings } = readState(stateDir);
    const stateFlag = opts.stateDir ? ` --state-dir ${commandLine([opts.stateDir])}` : '';
    next = {
      logPath: displayPath(io, path.join(stateDir, 'run.log')),
      undo: `bootstrap undo${file ? ' ' + commandLine([file]) : ''}${stateFlag}`,
    };
    if (planUndo(state).tasks.length === 0) {
      io.stdout.write(`nothing to undo in ${displayPath(io, stateDir)}\n`);
      purge = Boolean(opts.purge);
      return EXIT.OK;
    }
    const kinds = await loadKinds();
    const masker = new Masker();
    masker.addFromEnv(io.env);
    const { journal, live } = openJournal(io, stateDir, masker, records);
    const bus = new EventBus((v) => masker.maskDeep(v));
    const reporters = buildReporters(io, bus, { ...opts, next, stateDir, journal, state: () => live.state() });
    for (const w of warnings) bus.emit({ type: 'log', level: 'warn', message: w });
    const signals = installSignalHandlers(bus, journal);
    try {
      for (const t of killOrphans(state)) bus.emit({ type: 'log', level: 'warn', task: t, message: 'stopped a process an interrupted run left running' });
      const outcome = await runUndo({
        state,
        kinds,
        journal,
        bus,
        masker,
        signal: signals.signal,
        stateDir,
        env: io.env,
        clock: realClock,
        concurrency: opts.concurrency ?? defaultConcurrency(),
        force: Boolean(opts.force),
        reason: 'undo',
      });
      if (outcome.status === 'interrupted') return EXIT.INTERRUPTED;
      if (outcome.status === 'failed') return EXIT.FAILED;
      purge = Boolean(opts.purge);
      return EXIT.OK;
    } finally {
      signals.dispose();
      // Nothing spawns any more: the helper exits while the journal and report are closed.
      const helperStopped = stopSpawnHelper();
      await journal.close();
      await reporters.close();
      await helperStopped;
    }
  } catch (e) {
    // Once the undo journal is open, what it recorded is valid: say how to continue.
    if (e instanceof JournalWriteError) throw journalFailure(e, true, next.undo);
    throw e;
  } finally {
    lock.release();
    if (purge) {
      fs.rmSync(stateDir, { recursive: true, force: true });
      io.stdout.write(`removed ${displayPath(io, stateDir)} (journal and logs)\n`);
    } else if (opts.purge) {
      io.stdout.write(`kept ${displayPath(io, stateDir)}: the undo did not finish, and its journal is what the next undo needs\n`);
    }
  }
}
