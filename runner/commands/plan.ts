/**
 * `bootstrap plan <playbook>`: what a run would do, like `terraform plan`, without changing
 * anything. Each task is shown as will run, decided at run time, already satisfied, done
 * (a `--resume` would skip it), skipped, or blocked (a precondition fails, or a task it needs
 * is blocked).
 *
 * Exit codes (like `terraform plan -detailed-exitcode`): 0 nothing would run, 10 something
 * would run (changes pending), 1 something is blocked (a run would fail), 2 bad input, 130
 * interrupted.
 */
import { EventBus } from '../events.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import type { Playbook } from '../playbook/model.js';
import { Resolver, type EvalContext } from '../resolve.js';
import { styleFor, type Style } from '../reporters/style.js';
import { Masker } from '../secrets.js';
import { resumeChain, unfinishedRun, type JournalState, type RunRecord, type TaskRecord } from '../state.js';
import { commandLine, displayPath, kindsOf, loadPlaybookOrExit, readState, stateDirFor, type Io } from './common.js';
import { planTasks, type PlanItem, type PlanState } from './plan-eval.js';
import { installSignalHandlers } from './signals.js';
import { resolveRunVars } from './vars.js';
import fs from 'node:fs';
import path from 'node:path';

/** Exit code of `plan` when something would run. */
export const EXIT_CHANGES = 10;

export interface PlanOptions {
  var?: string[];
  varsFile?: string;
  stateDir?: string;
  nonInteractive?: boolean;
  json?: boolean;
}

const LABEL: Record<PlanState, string> = {
  'will-run': 'will run',
  'run-time': 'decided at run time',
  satisfied: 'already satisfied',
  done: 'done (resume would skip)',
  skipped: 'skipped',
  blocked: 'blocked',
};

const SYMBOL: Record<PlanState, string> = { 'will-run': '+', 'run-time': '?', satisfied: '=', done: '✓', skipped: '-', blocked: '!' };

function paint(s: Style, state: PlanState, text: string): string {
  if (state === 'will-run') return s.green(text);
  if (state === 'run-time') return s.yellow(text);
  if (state === 'blocked') return s.red(text);
  if (state === 'done') return s.cyan(text);
  return s.dim(text);
}

/** Successes journalled by the unfinished run's chain, with the definition hash they ran with. */
function resumable(state: JournalState, run: RunRecord | undefined): Map<string, TaskRecord & { definitionHash?: string }> {
  const out = new Map<string, TaskRecord & { definitionHash?: string }>();
  if (!run) return out;
  const runs = new Map(state.runs.map((r) => [r.id, r]));
  for (const id of resumeChain(state, run.id)) {
    const r = runs.get(id);
    for (const [task, rec] of r?.tasks ?? []) if (rec.status === 'succeeded' && !out.has(task)) out.set(task, { ...rec, definitionHash: r!.hashes.get(task) });
  }
  return out;
}

/** The exit code for a plan. */
export function planExitCode(items: readonly PlanItem[]): ExitCode | typeof EXIT_CHANGES {
  if (items.some((i) => i.state === 'blocked')) return EXIT.FAILED;
  if (items.some((i) => i.state === 'will-run' || i.state === 'run-time')) return EXIT_CHANGES;
  return EXIT.OK;
}

/** The plan as text. */
export function renderPlan(playbook: Playbook, items: readonly PlanItem[], s: Style, o: { shown: string; unfinished?: RunRecord; next: string }): string {
  const lines = [s.bold(`Plan for ${playbook.name}`) + s.dim(` (${o.shown})`)];
  if (o.unfinished) lines.push(s.dim(`An unfinished run exists (${o.unfinished.id}): the plan is what \`--resume\` would do.`));
  lines.push('');
  const width = Math.min(32, Math.max(4, ...items.map((i) => i.id.length)));
  const labelWidth = Math.max(...items.map((i) => LABEL[i.state].length), 8);
  for (const i of items) {
    const label = paint(s, i.state, `${SYMBOL[i.state]} ${i.id.padEnd(width)}  ${LABEL[i.state].padEnd(labelWidth)}`);
    lines.push(`  ${label}${i.detail ? '  ' + s.dim(i.detail.split('\n')[0]) : ''}`.trimEnd());
  }
  const count = (st: PlanState) => items.filter((i) => i.state === st).length;
  const parts = [
    `${count('will-run')} to run`,
    count('run-time') && `${count('run-time')} decided at run time`,
    count('satisfied') && `${count('satisfied')} already satisfied`,
    count('done') && `${count('done')} done earlier`,
    count('skipped') && `${count('skipped')} skipped`,
    count('blocked') && s.red(`${count('blocked')} blocked`),
  ].filter(Boolean);
  lines.push('', `${s.bold('Plan:')} ${parts.join(', ')}.`);
  const code = planExitCode(items);
  if (code === EXIT.OK) lines.push('Nothing to do.');
  else if (code === EXIT.FAILED) lines.push(s.red('A run would fail: fix what blocks the tasks marked !, then plan again.'));
  else lines.push(`To apply it: ${s.bold(o.next)}`);
  return lines.join('\n') + '\n';
}

export async function planCommand(io: Io, file: string, opts: PlanOptions): Promise<number> {
  const playbook = await loadPlaybookOrExit(io, file);
  const kinds = await kindsOf(playbook);
  const stateDir = stateDirFor(io, opts.stateDir, playbook.name);
  const hasJournal = fs.existsSync(path.join(stateDir, 'journal.jsonl'));
  const state = hasJournal ? readState(stateDir).state : undefined;
  const unfinished = state ? unfinishedRun(state) : undefined;
  const vars = await resolveRunVars(io, playbook, opts, unfinished);
  const masker = new Masker();
  masker.addFromEnv(io.env);
  for (const n of vars.secret) masker.add(vars.values[n]);
  const ctx: EvalContext = { vars: vars.nested, env: io.env, tasks: {}, playbook: { dir: playbook.dir, name: playbook.name, file: playbook.file }, run: { id: '<plan>' } };
  const resolver = new Resolver(ctx, { vars: vars.secret, outputs: new Set() }, masker);
  const signals = installSignalHandlers(new EventBus());
  let items: PlanItem[];
  try {
    items = await planTasks({
      playbook,
      kinds,
      resolver,
      env: io.env,
      stateDir,
      resumable: state ? resumable(state, unfinished) : new Map(),
      signal: signals.signal,
      secret: (v) => masker.add(v),
    });
  } catch (e) {
    if (signals.signal.aborted) {
      io.stderr.write('interrupted: the plan is incomplete\n');
      return EXIT.INTERRUPTED;
    }
    throw e;
  } finally {
    signals.dispose();
  }
  const shown = displayPath(io, playbook.file);
  const stateFlag = opts.stateDir ? ` --state-dir ${commandLine([opts.stateDir])}` : '';
  const next = `bootstrap run ${commandLine([shown])}${unfinished ? ' --resume' : ''}${stateFlag}`;
  const code = planExitCode(items);
  if (opts.json) {
    const doc = { version: 1, playbook: { name: playbook.name, file: playbook.file }, stateDir, resumeOf: unfinished?.id, exitCode: code, tasks: items };
    io.stdout.write(masker.mask(JSON.stringify(doc, null, 2)) + '\n');
  } else io.stdout.write(masker.mask(renderPlan(playbook, items, styleFor(io.stdout, io.env), { shown, unfinished, next })));
  return code;
}
