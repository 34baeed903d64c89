/**
 * `bootstrap run <playbook>`: load, resolve vars, lock the state dir, refuse or resume an
 * unfinished run, execute, optionally roll back, and map the outcome to an exit code.
 */
import path from 'node:path';
import { realClock } from '../../tasks/context.js';
import { EventBus } from '../events.js';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { JournalWriteError } from '../journal.js';
import type { Playbook } from '../playbook/model.js';
import { Masker } from '../secrets.js';
import { releaseGarbage, type GcResult } from '../memory.js';
import { executeRun } from '../run.js';
import { resumeChain, unfinishedRun } from '../state.js';
import {
  commandLine,
  defaultConcurrency,
  displayPath,
  ensureStateDir,
  journalFailure,
  lockStateDir,
  kindsOf,
  loadKinds,
  loadPlaybookOrExit,
  openJournal,
  readState,
  stateDirFor,
  type Io,
} from './common.js';
import { resolveRunVars } from './vars.js';
import { stopSpawnHelper } from '../spawn-server.js';
import { buildReporters, type OutputOptions } from './output.js';
import { installSignalHandlers } from './signals.js';
import { killOrphans, runUndo } from './undo-runner.js';
import { runDryRun } from './dry-run.js';

export interface RunOptions extends OutputOptions {
  resume?: boolean;
  fresh?: boolean;
  var?: string[];
  varsFile?: string;
  concurrency?: number;
  rollback?: boolean;
  yes?: boolean;
  nonInteractive?: boolean;
  stateDir?: string;
  dryRun?: boolean;
}

export async function runCommand(io: Io, file: string, opts: RunOptions, argv: string[]): Promise<ExitCode> {
  if (opts.resume && opts.fresh) throw new CliError('--resume and --fresh contradict each other', EXIT.BAD_INPUT, 'use --resume to continue the unfinished run, or --fresh to start over');
  const playbook = await loadPlaybookOrExit(io, file);
  // The parse tree is garbage now: with a large playbook, most of the heap (bench/README.md).
  const gcLoaded = releaseGarbage(io.env);
  const kinds = await kindsOf(playbook);
  const stateDir = stateDirFor(io, opts.stateDir, playbook.name);
  const shown = displayPath(io, playbook.file);
  const stateFlag = opts.stateDir ? ` --state-dir ${commandLine([opts.stateDir])}` : '';
  const next = {
    logPath: displayPath(io, path.join(stateDir, 'run.log')),
    resume: `bootstrap run ${commandLine([shown])} --resume${stateFlag}`,
    undo: `bootstrap undo ${commandLine([shown])}${stateFlag}`,
  };

  if (opts.dryRun) return runDryRun(io, playbook, opts, kinds);

  ensureStateDir(stateDir);
  const lock = lockStateDir(stateDir, commandLine(['bootstrap', ...argv]));
  let started = false;
  try {
    const { state, records, warnings } = readState(stateDir);
    const unfinished = unfinishedRun(state);
    if (unfinished && !opts.resume && !opts.fresh) {
      throw new CliError(
        `an unfinished run exists in ${displayPath(io, stateDir)} (run ${unfinished.id}, ${unfinished.status === 'incomplete' ? 'stopped without finishing' : unfinished.status})`,
        EXIT.BAD_INPUT,
        `choose one:\n  ${next.resume}      continue where it stopped\n  ${next.undo}      undo what it did\n  bootstrap run ${commandLine([shown])} --fresh${stateFlag}      start a new run (what the old one created stays recorded for undo)`,
      );
    }

    const last = state.runs[state.runs.length - 1];
    if (opts.resume && !unfinished && last?.status === 'succeeded' && !last.undoneBy) {
      io.stdout.write(`nothing to resume: the last run (${last.id}) succeeded. To run the playbook again: bootstrap run ${commandLine([shown])}${stateFlag}\n`);
      return EXIT.OK;
    }

    const masker = new Masker();
    masker.addFromEnv(io.env);
    const vars = await resolveRunVars(io, playbook, opts, opts.resume ? unfinished : undefined);
    for (const name of vars.secret) masker.add(vars.values[name]);
    if (playbook.confirm && vars.interactive && !opts.yes) await confirm(io, playbook, vars.values, vars.secret);

    const { journal, live } = openJournal(io, stateDir, masker, records);
    started = true;
    const bus = new EventBus((v) => masker.maskDeep(v));
    const reporters = buildReporters(io, bus, { ...opts, next, stateDir, journal, state: () => live.state() });
    for (const w of warnings) bus.emit({ type: 'log', level: 'warn', message: w });
    const gcLog = (when: string, r: GcResult) => {
      if (r.collected) bus.emit({ type: 'log', level: 'debug', message: `memory: collected garbage ${when}: heap ${mib(r.beforeBytes)} -> ${mib(r.afterBytes)} in ${Math.round(r.ms)} ms` });
    };
    gcLog('after loading the playbook', gcLoaded);
    if (opts.resume && !unfinished) bus.emit({ type: 'log', level: 'info', message: 'nothing to resume: starting a new run' });
    if (lock.tookOver) bus.emit({ type: 'log', level: 'warn', message: `took over the lock of pid ${lock.tookOver.pid} (${lock.tookOver.command}), which is no longer running` });

    const signals = installSignalHandlers(bus, journal);
    try {
      if (unfinished && opts.resume) {
        const killed = killOrphans(state, new Set(resumeChain(state, unfinished.id)));
        for (const t of killed) bus.emit({ type: 'log', level: 'warn', task: t, message: 'stopped a process the interrupted run left running' });
      }
      const outcome = await executeRun({
        playbook,
        kinds,
        vars: { values: vars.values, secret: vars.secret },
        nestedVars: vars.nested,
        stateDir,
        // Tasks run in the playbook's directory, wherever bootstrap was started from.
        cwd: playbook.dir,
        concurrency: opts.concurrency ?? defaultConcurrency(),
        resume: opts.resume && unfinished ? { run: unfinished, state } : undefined,
        state,
        journal,
        bus,
        masker,
        signal: signals.signal,
        argv,
        env: io.env,
        clock: realClock,
        fetch: globalThis.fetch,
        // p-graph's set-up copies of the graph are garbage once the first task starts.
        onScheduled: () => gcLog('after setting up the schedule', releaseGarbage(io.env)),
      });
      if (outcome.status === 'failed' && opts.rollback && !signals.signal.aborted) {
        const after = readState(stateDir).state;
        const undo = await runUndo({
          state: after,
          // What earlier runs of the chain did may be of kinds this playbook no longer uses.
          kinds: await loadKinds(),
          journal,
          bus,
          masker,
          signal: signals.signal,
          stateDir,
          env: io.env,
          clock: realClock,
          concurrency: opts.concurrency ?? 4,
          force: false,
          reason: 'rollback',
          runs: new Set(resumeChain(after, outcome.runId)),
          knownSecrets: Object.fromEntries([...vars.secret].map((n) => [n, vars.values[n]])),
        });
        if (undo.status === 'interrupted') return EXIT.INTERRUPTED;
        return EXIT.FAILED;
      }
      if (outcome.status === 'interrupted' || signals.signal.aborted) return EXIT.INTERRUPTED;
      return outcome.status === 'succeeded' ? EXIT.OK : EXIT.FAILED;
    } finally {
      signals.dispose();
      // Nothing spawns any more: the helper exits while the journal and report are closed.
      const helperStopped = stopSpawnHelper();
      await journal.close();
      await reporters.close();
      await helperStopped;
    }
  } catch (e) {
    if (e instanceof JournalWriteError) throw journalFailure(e, started, `${next.resume}   (or ${next.undo})`);
    throw e;
  } finally {
    lock.release();
  }
}

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

async function confirm(io: Io, playbook: Playbook, values: Record<string, unknown>, secret: ReadonlySet<string>): Promise<void> {
  const { ask } = await import('../playbook/prompt.js');
  io.stdout.write(`\n${playbook.name}: resolved configuration\n`);
  const width = Math.max(...[...playbook.vars.keys()].map((k) => k.length), 4);
  for (const name of playbook.vars.keys()) {
    const v = values[name];
    io.stdout.write(`  ${name.padEnd(width)}  ${secret.has(name) ? (v === undefined ? '(unset)' : '***') : v === undefined ? '(unset)' : JSON.stringify(v)}\n`);
  }
  const answer = await ask(io.stdin, io.stdout as NodeJS.WritableStream, 'Proceed? [y/N] ');
  if (!/^y(es)?$/i.test((answer ?? '').trim())) throw new CliError('cancelled: nothing was done', EXIT.BAD_INPUT);
}
