/**
 * What the commands share: where output goes, loading a playbook (diagnostics printed like a
 * compiler, exit 2), finding the state dir, reading the journal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TaskKind } from '../../tasks/kind.js';
import { CliError, EXIT } from '../exit-codes.js';
import { JournalWriter, readJournal, type JournalRecord, type JournalWriteError } from '../journal.js';
import { acquireLock, LockedError, type Lock } from '../lock.js';
import type { Diagnostic } from '../playbook/diagnostics.js';
import { formatDiagnostics } from '../playbook/format.js';
import { loadPlaybook } from '../playbook/load.js';
import type { Playbook } from '../playbook/model.js';
import type { Masker } from '../secrets.js';
import { replay, StateFold, type JournalState } from '../state.js';
import { COLOR, styleFor, type Style } from '../reporters/style.js';

/** The process's streams and environment, injectable for tests. */
export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** The registry of task kinds, loaded on demand (only commands that read playbooks need it). */
export async function loadKinds(): Promise<ReadonlyMap<string, TaskKind>> {
  const { kinds } = await import('../../tasks/index.js');
  return kinds;
}

/** The kinds a loaded playbook runs: none (nothing loaded) when all its tasks are `run:`. */
export async function kindsOf(playbook: Playbook): Promise<ReadonlyMap<string, TaskKind>> {
  for (const t of playbook.tasks.values()) if (t.action.kind === 'uses') return loadKinds();
  return new Map();
}

export function errStyle(io: Io): Style {
  return styleFor(io.stderr, io.env);
}

/** Print diagnostics to stderr like a compiler. */
export function printDiagnostics(io: Io, diags: readonly Diagnostic[]): void {
  if (!diags.length) return;
  const text = formatDiagnostics(
    diags,
    (file) => {
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
    { color: errStyle(io) === COLOR, cwd: io.cwd },
  );
  io.stderr.write(text.endsWith('\n') ? text : text + '\n');
}

/**
 * Load and validate a playbook; on any error print the diagnostics and exit 2. The kinds
 * registry is loaded only if the file may use a kind.
 */
export async function loadPlaybookOrExit(io: Io, file: string): Promise<Playbook> {
  const abs = path.resolve(io.cwd, file);
  if (!fs.existsSync(abs)) throw new CliError(`playbook not found: ${file}`, EXIT.BAD_INPUT, 'check the path, or scaffold one with `bootstrap init`');
  const { playbook, diagnostics } = await loadPlaybook(abs, { kinds: loadKinds });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  printDiagnostics(io, diagnostics);
  if (errors.length || !playbook) throw new CliError(`${file} is not valid`, EXIT.BAD_INPUT, undefined, true);
  return playbook;
}

/** `--state-dir`, else $BOOTSTRAP_STATE_DIR, else `.bootstrap/<playbook name>/` under the cwd. */
export function stateDirFor(io: Io, opt: string | undefined, playbookName: string | undefined): string {
  if (opt) return path.resolve(io.cwd, opt);
  if (io.env.BOOTSTRAP_STATE_DIR) return path.resolve(io.cwd, io.env.BOOTSTRAP_STATE_DIR);
  if (playbookName) return path.join(io.cwd, '.bootstrap', playbookName);
  // No playbook named: use the only state dir under .bootstrap/, or ask which.
  const root = path.join(io.cwd, '.bootstrap');
  const dirs = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'journal.jsonl'))) : [];
  if (dirs.length === 1) return path.join(root, dirs[0]);
  if (dirs.length === 0) throw new CliError(`no state found under ${root}`, EXIT.BAD_INPUT, 'name the playbook (bootstrap undo playbooks/x.yaml) or pass --state-dir');
  throw new CliError(`several state dirs under ${root}: ${dirs.join(', ')}`, EXIT.BAD_INPUT, `name the playbook or pass --state-dir ${path.join('.bootstrap', dirs[0])}`);
}

/** Read the journal of a state dir; warnings (torn or corrupted lines) are returned for logging. */
export function readState(stateDir: string): { state: JournalState; records: JournalRecord[]; warnings: string[] } {
  const { records, warnings } = readJournal(stateDir);
  return { state: replay(records), records, warnings };
}

/**
 * The journal's state as it grows: the records read at the start, then each record the journal
 * writes (JournalWriterOptions.onWritten), folded as it is written. report.html needs the state
 * after the run; for 10,000 tasks, reading and parsing the journal again cost ~50 ms and ~30 MB at
 * the end of the run. The records are folded as objects, not parsed back from their lines: the
 * engine builds a fresh object for every record and never changes one once appended, so the
 * parts the fold keeps (outputs, undo steps, needs) stay as written; notes it merges into copies
 * (test/engine/live-state.property.test.ts holds the result equal to the journal read back).
 * Should a record ever fail to fold, `state()` reads the journal instead.
 */
export class LiveState {
  private readonly fold = new StateFold();
  private broken = false;

  constructor(
    private readonly stateDir: string,
    records: readonly JournalRecord[],
  ) {
    for (const r of records) this.fold.add(r);
  }

  readonly onWritten = (record: JournalRecord): void => {
    if (this.broken) return;
    try {
      this.fold.add(record);
    } catch {
      this.broken = true;
    }
  };

  state(): JournalState {
    return this.broken ? readState(this.stateDir).state : this.fold.state();
  }
}

/**
 * The journal a run or undo appends to: masked with `masker`, with the crash test hook
 * (BOOTSTRAP_TEST_CRASH_AFTER_WRITE), and a LiveState fed from `records` (the journal as read at
 * the start) and from every record written. The LiveState folds `records` a second time (the
 * engine's state must not grow under it during the run); that is cheap next to parsing them.
 */
export function openJournal(io: Io, stateDir: string, masker: Masker, records: readonly JournalRecord[]): { journal: JournalWriter; live: LiveState } {
  const crash = io.env.BOOTSTRAP_TEST_CRASH_AFTER_WRITE;
  const live = new LiveState(stateDir, records);
  const journal = JournalWriter.open(stateDir, { mask: (r) => masker.maskDeep(r), crashAfter: crash ? Number(crash) : undefined, onWritten: live.onWritten });
  return { journal, live };
}

/** Make the state dir (private: it holds logs). A read-only or full location is a clear error. */
export function ensureStateDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw stateDirError(dir, e);
  }
}

/** Check an existing state dir can be written (undo, before it takes the lock). */
export function checkWritable(dir: string): void {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw stateDirError(dir, e);
  }
}

/** A state dir that cannot be used, in words, with the way out (exit 2: nothing was done). */
export function stateDirError(dir: string, e: unknown): CliError {
  const err = e as NodeJS.ErrnoException;
  let why: string;
  if (['EACCES', 'EROFS', 'EPERM'].includes(err.code ?? '') || (err.code === 'ENOENT' && !writableAncestor(dir))) why = 'it is not writable';
  else if (err.code === 'ENOSPC' || err.code === 'EDQUOT') why = 'no space left on device';
  else why = err.message;
  return new CliError(`cannot use the state dir ${dir}: ${why}`, EXIT.BAD_INPUT, why === 'no space left on device' ? 'free some space and run the same command again' : 'make it writable, or choose another with --state-dir or BOOTSTRAP_STATE_DIR');
}

function writableAncestor(dir: string): boolean {
  let d = path.resolve(dir);
  while (!fs.existsSync(d)) d = path.dirname(d);
  try {
    fs.accessSync(d, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Take the lock, turning a refusal into exit 3 and a file-system failure into exit 2. */
export function lockStateDir(dir: string, command: string): Lock {
  try {
    return acquireLock(dir, command);
  } catch (e) {
    if (e instanceof LockedError) throw new CliError(e.message, EXIT.LOCKED, e.hint);
    throw stateDirError(dir, e);
  }
}

/**
 * The journal could not be written part-way: what was journalled stays valid. `started`: the
 * run or undo had begun (exit 1), else it was refused before doing anything (exit 2).
 */
export function journalFailure(e: JournalWriteError, started: boolean, wayOut: string): CliError {
  const full = e.ioError.code === 'ENOSPC' || e.ioError.code === 'EDQUOT';
  return new CliError(e.message, started ? EXIT.FAILED : EXIT.BAD_INPUT, `${full ? 'free some space' : `make ${path.dirname(e.path)} writable`}, then: ${wayOut}`);
}

/** Default concurrency: the number of CPUs, at least 4. */
export function defaultConcurrency(): number {
  return Math.max(4, os.availableParallelism?.() ?? os.cpus().length);
}

/** A shell-safe rendering of a command line for hints ("To resume: ..."). */
export function commandLine(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** How the user refers to a playbook in hints: relative to their cwd when shorter. */
export function displayPath(io: Io, file: string): string {
  const rel = path.relative(io.cwd, file);
  return rel && !rel.startsWith('..') ? rel : file;
}
