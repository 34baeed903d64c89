/**
 * The journal: `journal.jsonl` in the state dir, append-only, one JSON record per line.
 *
 * Durability: a record appended with `durable: true` is on disk (written and fdatasync'ed)
 * when the returned promise resolves. Records are written at the end of the tick they were
 * appended in, in append order; durable ones written in the same tick or during an fdatasync
 * share the next one (group commit). A torn last line (crash mid-write) is skipped when reading.
 *
 * The journal is the source of truth for resume, undo and status. Secrets never reach it:
 * every record passes through the masker, and secret values are stored as references.
 */
import fs from 'node:fs';
import type { FailReason, RunStatus, SkipReason, TaskStatus } from './events.js';

export const JOURNAL_FILE = 'journal.jsonl';
export const JOURNAL_VERSION = 1;

/** A value that was secret when journalled: re-resolved from its source when needed. */
export interface SecretRef {
  $secret: string;
}

/** How to undo a shell task, as resolved when it ran. Values are inlined or referenced. */
export interface ShellUndoSpec {
  kind: 'shell';
  /** The undo script as written in the playbook (with `${{ }}`). */
  source: string;
  /** The value of each interpolation, in order; secrets as references (the expression text). */
  values: Array<string | SecretRef>;
  env: Record<string, string | SecretRef>;
  cwd: string;
  timeoutMs?: number;
}

/** How to undo a built-in kind: its name, its resolved `with` and what run returned. */
export interface KindUndoSpec {
  kind: 'uses';
  uses: string;
  with: unknown;
  state?: Record<string, unknown>;
  timeoutMs?: number;
  env?: Record<string, string | SecretRef>;
}

/** A shell task with no `undo:`: what it did is reported as left in place. */
export interface NoUndoSpec {
  kind: 'none';
}

export type UndoSpec = ShellUndoSpec | KindUndoSpec | NoUndoSpec;

export interface JournalledVar {
  value?: unknown;
  secret?: boolean;
  /** Where a secret can be read again (its `env`), for undo. */
  env?: string;
}

export type JournalRecord =
  | {
      type: 'run-start';
      v: number;
      run: string;
      ts: number;
      resumeOf?: string;
      playbook: { name: string; file: string; hash: string };
      tasks: Array<{ id: string; needs: string[]; hash: string }>;
      vars: Record<string, JournalledVar>;
      argv: string[];
      host: string;
      pid: number;
      /** Working directory of the run (tasks without `cwd` run there; undo too). */
      cwd?: string;
    }
  | { type: 'task-start'; run: string; task: string; attempt: number; ts: number; inputHash: string; undo?: UndoSpec | null }
  | { type: 'task-spawn'; run: string; task: string; pid: number; ts: number }
  | { type: 'task-note'; run: string; task: string; note: Record<string, unknown>; ts: number }
  | {
      type: 'task-end';
      run: string;
      task: string;
      status: TaskStatus;
      reason?: SkipReason | FailReason;
      ts: number;
      durationMs: number;
      attempts: number;
      inputHash?: string;
      outputs?: Record<string, unknown>;
      /** Names of outputs that were secret (their values are not journalled). */
      secretOutputs?: string[];
      /** Present on success: the undo step to use (null: nothing to undo). */
      undo?: UndoSpec | null;
      restored?: boolean;
      error?: string;
    }
  | { type: 'run-end'; run: string; status: RunStatus; ts: number; durationMs: number }
  | { type: 'undo-start'; undo: string; ts: number; reason: 'undo' | 'rollback'; force: boolean; runs?: string[] }
  | { type: 'task-undo-start'; undo: string; task: string; run: string; ts: number }
  | { type: 'task-undo-spawn'; undo: string; task: string; pid: number; ts: number }
  | {
      type: 'task-undo-end';
      undo: string;
      task: string;
      run: string;
      status: 'undone' | 'undo-failed' | 'left-in-place';
      ts: number;
      durationMs: number;
      error?: string;
    }
  | { type: 'undo-end'; undo: string; status: 'succeeded' | 'failed' | 'interrupted'; ts: number }
  | { type: 'log'; level: 'error'; message: string; task?: string; run?: string; ts: number };

/** The journal cannot be opened or written (disk full, read-only, gone). Nothing more can run. */
export class JournalWriteError extends Error {
  constructor(
    readonly path: string,
    readonly ioError: NodeJS.ErrnoException,
  ) {
    super(`cannot write the journal ${path}: ${describeIoError(ioError)}`);
    this.name = 'JournalWriteError';
  }
}

/** A filesystem error in words (the code's meaning, not Node's message format). */
export function describeIoError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e.message;
  }
}

export interface JournalWriterOptions {
  /** Transform applied to each record before it is written (the secret masker). */
  mask?: (r: JournalRecord) => JournalRecord;
  /**
   * Test hook: SIGKILL this process right after the k-th record is durable on disk.
   * Read from BOOTSTRAP_TEST_CRASH_AFTER_WRITE by the CLI only.
   */
  crashAfter?: number;
  /**
   * Told each record once its line is written, in file order: the record as written (masked),
   * which the caller must not change. (Parsing the line back cost ~3 µs a record, on the path of
   * every task.)
   */
  onWritten?: (record: JournalRecord) => void;
  /**
   * fdatasyncs that take less than this many ms are made on the main thread (the default,
   * {@link INLINE_SYNC_MAX_MS}); once one takes longer, the rest go through the thread pool.
   * 0: always the thread pool.
   */
  inlineSyncMaxMs?: number;
}

/**
 * An fdatasync on a local SSD takes ~0.1-0.5 ms; made through the thread pool, it also costs two
 * thread hand-overs (to a pool thread and back through the event loop), which on 2 cores shared
 * with the commands cost as much again: trivial-300 ran ~12% faster with them made in place. A
 * disk whose syncs take longer than this (a network filesystem, a busy HDD) would stall the
 * event loop (output, timeouts, signals) for that long on every sync: the journal then goes
 * back to the thread pool for the rest of its life.
 */
export const INLINE_SYNC_MAX_MS = 2;

/**
 * Write all of `text` at the file's position: the string as it is (no Buffer for the usual
 * whole write), and the rest of a short write (a nearly full disk, a signal) as bytes.
 */
export function writeAllSync(fd: number, text: string): void {
  const n = fs.writeSync(fd, text, null, 'utf8');
  if (n >= Buffer.byteLength(text)) return;
  const data = Buffer.from(text).subarray(n);
  for (let offset = 0; offset < data.length; ) offset += fs.writeSync(fd, data, offset, data.length - offset, null);
}

/** A promise with its settle functions: one per batch of records, not one per record. */
interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

/** The records appended in one tick: their lines, and who waits for them written or durable. */
interface Batch {
  records: JournalRecord[];
  lines: string[];
  /** Settles when the lines are written (non-durable appends wait for this). */
  written: Deferred | undefined;
  /** Settles when an fdatasync begun after the write has completed (durable appends). */
  durable: Deferred | undefined;
}

/** Appends records: written at the end of the tick they were appended in; fdatasyncs shared. */
export class JournalWriter {
  /** Appended in this tick, written together when it ends. */
  private queue: Batch | undefined;
  /** Durable batches written since the last fdatasync began, waiting for the next one. */
  private waiting: Deferred[] = [];
  private syncing = false;
  /** Records written so far, and how many of them an fdatasync has completed for. */
  private written = 0;
  private synced = 0;
  private closed = false;
  private failure: Error | undefined;
  /** Whether fdatasyncs are still made on the main thread (see {@link INLINE_SYNC_MAX_MS}). */
  private inlineSync: boolean;

  private constructor(
    private readonly fd: number,
    readonly path: string,
    private readonly opts: JournalWriterOptions,
  ) {
    this.inlineSync = (opts.inlineSyncMaxMs ?? INLINE_SYNC_MAX_MS) > 0;
  }

  /** Open (create) the journal in `dir` for appending. */
  static open(dir: string, opts: JournalWriterOptions = {}): JournalWriter {
    const path = `${dir}/${JOURNAL_FILE}`;
    try {
      return JournalWriter.openAt(path, opts);
    } catch (e) {
      throw new JournalWriteError(path, e as NodeJS.ErrnoException);
    }
  }

  private static openAt(path: string, opts: JournalWriterOptions): JournalWriter {
    const fd = fs.openSync(path, 'a', 0o600);
    // If the previous writer died mid-line, start on a fresh line so our first record is whole.
    const size = fs.fstatSync(fd).size;
    if (size > 0) {
      const buf = Buffer.alloc(1);
      const rfd = fs.openSync(path, 'r');
      try {
        fs.readSync(rfd, buf, 0, 1, size - 1);
      } finally {
        fs.closeSync(rfd);
      }
      if (buf[0] !== 0x0a) fs.writeSync(fd, '\n');
    }
    return new JournalWriter(fd, path, opts);
  }

  /**
   * Append a record. Records appended in one tick are written to the file together (one
   * write(2) to the page cache) before the tick ends, in the order they were appended; the promise
   * resolves then, or, with `durable`, once an fdatasync begun after the write has completed.
   * Durable records written while an fdatasync is under way share the next one (group commit).
   * Rejects if the disk refuses (full, read-only), and so does every later append: the caller
   * must stop the run.
   */
  append(record: JournalRecord, durable = false): Promise<void> {
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    if (this.failure) return Promise.reject(this.failure);
    const masked = this.opts.mask ? this.opts.mask(record) : record;
    let batch = this.queue;
    if (!batch) {
      batch = this.queue = { records: [], lines: [], written: undefined, durable: undefined };
      queueMicrotask(() => this.writeQueued());
    }
    batch.records.push(masked);
    batch.lines.push(JSON.stringify(masked) + '\n');
    // Made only when someone waits for it: a promise no one holds must not be rejected.
    if (!durable) return (batch.written ??= deferred()).promise;
    return (batch.durable ??= deferred()).promise;
  }

  private writeQueued(): void {
    const batch = this.queue!;
    this.queue = undefined;
    if (this.failure) return this.rejectBatch(batch, this.failure);
    let lines = batch.lines;
    const limit = this.opts.crashAfter;
    const crash = limit !== undefined && this.written + lines.length >= limit;
    if (crash) lines = lines.slice(0, Math.max(0, limit - this.written));
    try {
      writeAllSync(this.fd, lines.length === 1 ? lines[0]! : lines.join(''));
    } catch (e) {
      return this.rejectBatch(batch, this.fail(e));
    }
    this.written += lines.length;
    if (crash) {
      // Test hook: the k-th record is on disk, then this process dies.
      fs.fdatasyncSync(this.fd);
      process.kill(process.pid, 'SIGKILL');
    }
    const seen = this.opts.onWritten;
    if (seen) for (const r of batch.records) seen(r);
    batch.written?.resolve();
    if (batch.durable) {
      this.waiting.push(batch.durable);
      if (!this.syncing) this.sync();
    }
  }

  private rejectBatch(batch: Batch, err: Error): void {
    batch.written?.reject(err);
    batch.durable?.reject(err);
  }

  /** One fdatasync for everything written so far; then another if more came meanwhile. */
  private sync(): void {
    this.syncing = true;
    const batch = this.waiting;
    this.waiting = [];
    const upTo = this.written;
    const done = (e: NodeJS.ErrnoException | null) => {
      if (e) {
        const err = this.fail(e);
        for (const w of [...batch, ...this.waiting]) w.reject(err);
        this.waiting = [];
        this.syncing = false;
        return;
      }
      this.synced = upTo;
      for (const w of batch) w.resolve();
      if (this.waiting.length) this.sync();
      else this.syncing = false;
    };
    if (!this.inlineSync) return fs.fdatasync(this.fd, done);
    const t = performance.now();
    let error: NodeJS.ErrnoException | null = null;
    try {
      fs.fdatasyncSync(this.fd);
    } catch (e) {
      error = e as NodeJS.ErrnoException;
    }
    if (performance.now() - t > (this.opts.inlineSyncMaxMs ?? INLINE_SYNC_MAX_MS)) this.inlineSync = false;
    // Settled in a microtask, as a callback from the thread pool would be later: never in the
    // middle of the code that asked for the sync.
    queueMicrotask(() => done(error));
  }

  private fail(e: unknown): Error {
    this.failure ??= new JournalWriteError(this.path, e as NodeJS.ErrnoException);
    return this.failure;
  }

  /** Flush, sync and close. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.queue || this.syncing) await new Promise<void>((r) => setImmediate(r));
    this.closed = true;
    // Usually the run-end record's own fdatasync has just covered everything.
    if (this.written > this.synced) {
      try {
        fs.fdatasyncSync(this.fd);
      } catch {
        /* nothing more we can do */
      }
    }
    fs.closeSync(this.fd);
  }

  /** Synchronous best-effort close for the forced-exit path (second Ctrl-C). */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      /* ignore */
    }
  }
}

export interface ReadResult {
  records: JournalRecord[];
  /** Problems found while reading (torn last line, corrupted lines), for warnings. */
  warnings: string[];
}

/** Read a journal file. A missing file reads as empty. Never throws on bad content. */
export function readJournal(dir: string): ReadResult {
  const path = `${dir}/${JOURNAL_FILE}`;
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], warnings: [] };
    throw e;
  }
  return parseJournal(text, path);
}

const str = (v: unknown) => typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const obj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields replay relies on, per record type. Unknown types pass (newer versions may add some). */
const SHAPES: Record<string, (r: Record<string, unknown>) => boolean> = {
  'run-start': (r) =>
    str(r.run) && num(r.ts) && obj(r.playbook) && str((r.playbook as { file?: unknown }).file) &&
    Array.isArray(r.tasks) && (r.tasks as unknown[]).every((t) => obj(t) && str((t as { id?: unknown }).id) && Array.isArray((t as { needs?: unknown }).needs)) &&
    (r.vars === undefined || obj(r.vars)),
  'task-start': (r) => str(r.run) && str(r.task) && num(r.attempt) && num(r.ts),
  'task-spawn': (r) => str(r.run) && str(r.task) && num(r.pid),
  'task-note': (r) => str(r.run) && str(r.task) && obj(r.note),
  'task-end': (r) => str(r.run) && str(r.task) && ['succeeded', 'failed', 'skipped'].includes(r.status as string) && num(r.ts) && num(r.durationMs),
  'run-end': (r) => str(r.run) && str(r.status) && num(r.ts),
  'undo-start': (r) => str(r.undo) && num(r.ts),
  'task-undo-start': (r) => str(r.undo) && str(r.task) && str(r.run) && num(r.ts),
  'task-undo-spawn': (r) => str(r.undo) && str(r.task) && num(r.pid),
  'task-undo-end': (r) => str(r.undo) && str(r.task) && str(r.run) && str(r.status) && num(r.ts),
  'undo-end': (r) => str(r.undo) && str(r.status) && num(r.ts),
  log: (r) => str(r.message) && num(r.ts),
};

/** True when a parsed line has the fields its type needs. */
export function wellFormed(rec: unknown): rec is JournalRecord {
  if (!obj(rec) || !str((rec as { type?: unknown }).type)) return false;
  const check = SHAPES[(rec as { type: string }).type];
  return !check || check(rec as Record<string, unknown>);
}

/** Parse journal text (exported for tests). */
export function parseJournal(text: string, path = JOURNAL_FILE): ReadResult {
  const records: JournalRecord[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  const lastIndex = text.endsWith('\n') ? lines.length - 2 : lines.length - 1;
  for (let i = 0; i <= lastIndex; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      rec = undefined;
    }
    if (!wellFormed(rec)) {
      warnings.push(
        i === lastIndex && !text.endsWith('\n')
          ? `${path}:${i + 1}: ignoring a torn last record (the previous process stopped while writing it)`
          : `${path}:${i + 1}: ignoring a corrupted record`,
      );
      continue;
    }
    records.push(rec as JournalRecord);
  }
  return { records, warnings };
}
