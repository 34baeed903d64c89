/**
 * In-process harness for the engine: load a playbook from YAML text with test kinds, run it
 * with a real journal in a temp dir, read the state back. No CLI, no terminal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { realClock } from '../../tasks/context.js';
import { TaskError, type TaskKind } from '../../tasks/kind.js';
import { EventBus, type BootstrapEvent } from '../../runner/events.js';
import { JournalWriter, readJournal, type JournalRecord } from '../../runner/journal.js';
import { loadPlaybook } from '../../runner/playbook/load.js';
import type { Playbook } from '../../runner/playbook/model.js';
import { executeRun, type RunOutcome } from '../../runner/run.js';
import { Masker } from '../../runner/secrets.js';
import { replay, unfinishedRun, type JournalState } from '../../runner/state.js';
import { runUndo } from '../../runner/commands/undo-runner.js';

/** A kind whose behaviour the test controls: counts runs and undos per task, fails on demand. */
export class ProbeControl {
  runs = new Map<string, number>();
  undos = new Map<string, number>();
  failRun = new Set<string>();
  failUndo = new Set<string>();
  undoOrder: string[] = [];

  kind(): TaskKind<{ id: string }> {
    return {
      name: 'probe',
      description: 'test probe',
      schema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
      outputs: { value: { description: 'the id' } },
      run: async (w) => {
        this.runs.set(w.id, (this.runs.get(w.id) ?? 0) + 1);
        if (this.failRun.has(w.id)) throw new TaskError(`probe ${w.id} told to fail`);
        return { outputs: { value: w.id }, undo: { id: w.id } };
      },
      undo: async (input) => {
        const id = (input.with as { id: string }).id;
        this.undoOrder.push(id);
        if (this.failUndo.has(id)) throw new TaskError(`undo of ${id} told to fail`);
        this.undos.set(id, (this.undos.get(id) ?? 0) + 1);
      },
    };
  }
}

export function tempDir(prefix = 'bootstrap-engine-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Playbook YAML of a DAG of probe tasks. */
export function probePlaybook(ids: string[], needs: Map<string, string[]>): string {
  const lines = ['name: probe-dag', 'tasks:'];
  for (const id of ids) {
    lines.push(`  ${id}:`, `    uses: probe`, `    with: { id: ${id} }`);
    const n = needs.get(id) ?? [];
    if (n.length) lines.push(`    needs: [${n.join(', ')}]`);
  }
  return lines.join('\n') + '\n';
}

export async function loadFromText(dir: string, yaml: string, kinds: ReadonlyMap<string, TaskKind>): Promise<Playbook> {
  const file = path.join(dir, 'playbook.yaml');
  fs.writeFileSync(file, yaml);
  const { playbook, diagnostics } = await loadPlaybook(file, { kinds });
  if (!playbook) throw new Error(`playbook did not load:\n${JSON.stringify(diagnostics, null, 2)}`);
  return playbook;
}

export function stateOf(stateDir: string): JournalState {
  return replay(readJournal(stateDir).records);
}

export interface EngineRun {
  outcome: RunOutcome;
  events: BootstrapEvent[];
}

/** Run once (resuming the unfinished run when `resume`), with a fresh journal writer. */
export async function engineRun(
  playbook: Playbook,
  stateDir: string,
  kinds: ReadonlyMap<string, TaskKind>,
  opts: { resume?: boolean; concurrency?: number; vars?: Record<string, unknown>; secret?: string[]; onWritten?: (record: JournalRecord) => void } = {},
): Promise<EngineRun> {
  const state = stateOf(stateDir);
  const unfinished = unfinishedRun(state);
  // Wired like the CLI: the masker covers both the event bus and the journal.
  const masker = new Masker();
  for (const n of opts.secret ?? []) masker.add(String(opts.vars?.[n]));
  const journal = JournalWriter.open(stateDir, { mask: (r) => masker.maskDeep(r), onWritten: opts.onWritten });
  const events: BootstrapEvent[] = [];
  const bus = new EventBus((v) => masker.maskDeep(v)).add({ log: (e) => events.push(e) });
  try {
    const outcome = await executeRun({
      playbook,
      kinds,
      vars: { values: opts.vars ?? {}, secret: new Set(opts.secret ?? []) },
      nestedVars: opts.vars ?? {},
      stateDir,
      cwd: playbook.dir,
      concurrency: opts.concurrency ?? 4,
      resume: opts.resume && unfinished ? { run: unfinished, state } : undefined,
      state,
      journal,
      bus,
      masker,
      signal: new AbortController().signal,
      argv: [],
      env: process.env,
      clock: realClock,
      fetch: globalThis.fetch,
    });
    return { outcome, events };
  } finally {
    await journal.close();
  }
}

export async function engineUndo(stateDir: string, kinds: ReadonlyMap<string, TaskKind>, opts: { force?: boolean; onWritten?: (record: JournalRecord) => void } = {}) {
  const journal = JournalWriter.open(stateDir, { onWritten: opts.onWritten });
  const events: BootstrapEvent[] = [];
  const bus = new EventBus().add({ log: (e) => events.push(e) });
  try {
    const outcome = await runUndo({
      state: stateOf(stateDir),
      kinds,
      journal,
      bus,
      masker: new Masker(),
      signal: new AbortController().signal,
      stateDir,
      env: process.env,
      clock: { now: Date.now, sleep: async () => {} },
      concurrency: 4,
      force: Boolean(opts.force),
      reason: 'undo',
    });
    return { outcome, events };
  } finally {
    await journal.close();
  }
}
