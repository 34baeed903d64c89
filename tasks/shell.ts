/**
 * The `shell` kind: what a task's `run:` (and a shell `undo:`) executes. The engine renders the
 * script first (interpolations bound through the environment, see runner/shell), so this kind
 * receives a ready invocation. It runs bash with `set -euo pipefail` in its own process group
 * and reads outputs from the file named by `$BOOTSTRAP_OUTPUT`.
 */
import fs from 'node:fs';
import { describeExit, succeeded } from '../runner/process.js';
import { bashArgs } from '../runner/shell/index.js';
import { execsAsBash, simpleCommand } from '../runner/shell/simple.js';
import { TaskError, type TaskContext, type TaskKind } from './kind.js';
import { parseOutputsFile } from './lib/outputs-file.js';

export interface ShellWith {
  /** The rendered script (values referenced through the environment). */
  script: string;
  /** Extra environment: the task's `env` and the interpolation bindings. */
  env: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
  /** File for `$BOOTSTRAP_OUTPUT`; outputs are read from it after a successful run. */
  outputsFile?: string;
}

/** Run a rendered script; resolves with its outputs, throws TaskError on failure. */
export async function runShell(w: ShellWith, ctx: TaskContext, onSpawn?: (pid: number) => void): Promise<Record<string, string>> {
  const env: Record<string, string | undefined> = { ...ctx.env, ...w.env, ...(w.outputsFile ? { BOOTSTRAP_OUTPUT: w.outputsFile } : {}) };
  const common = { cwd: w.cwd, timeoutMs: w.timeoutMs, onSpawn, keepLines: 20 };
  // One simple command runs directly, as bash would run it (runner/shell/simple.ts), with the
  // PWD bash would set. Not found: bash runs it after all, so the failure reads as always.
  let argv = simpleCommand(w.script);
  if (argv && !execsAsBash(argv[0]!, w.cwd, env.PATH)) argv = undefined;
  let result = argv ? await ctx.spawn({ file: argv[0]!, args: argv.slice(1), env: { ...env, PWD: w.cwd }, ...common }) : undefined;
  if (!result || result.spawnError) {
    result = await ctx.spawn({ file: 'bash', args: bashArgs(w.script), env, ...common });
  }
  // The file exists once the command has appended to it (the outputs directory is private to
  // the run). Outputs live in memory and (unless secret) in the journal; the file must not keep
  // them. Synchronous on purpose: reading a small file takes microseconds, fs/promises costs
  // several thread-pool round trips per task.
  const text = w.outputsFile ? takeFile(w.outputsFile) : '';
  if (!succeeded(result)) {
    const err = new TaskError(`command failed: ${describeExit(result, w.timeoutMs)}`);
    Object.assign(err, { result });
    throw err;
  }
  if (!w.outputsFile) return {};
  const parsed = parseOutputsFile(text);
  for (const e of parsed.errors) ctx.log('warn', `$BOOTSTRAP_OUTPUT line ${e.line}: ${e.message}`);
  return parsed.outputs;
}

/** The content of `file`, which is then removed; '' when there is none. */
function takeFile(file: string): string {
  // Most commands write no outputs: ask without an exception (an ENOENT error costs ~30 µs).
  if (!fs.statSync(file, { throwIfNoEntry: false })) return '';
  const text = fs.readFileSync(file, 'utf8');
  fs.rmSync(file, { force: true });
  return text;
}

export const shellKind: TaskKind<ShellWith> = {
  name: 'shell',
  description: 'Run a bash script (what `run:` and a shell `undo:` do)',
  schema: {
    type: 'object',
    additionalProperties: false,
    required: ['script', 'env', 'cwd'],
    properties: {
      script: { type: 'string', description: 'The rendered script' },
      env: { type: 'object', additionalProperties: { type: 'string' }, description: 'Extra environment' },
      cwd: { type: 'string', description: 'Working directory' },
      timeoutMs: { type: 'number', description: 'Kill the process group after this long' },
      outputsFile: { type: 'string', description: 'File for $BOOTSTRAP_OUTPUT' },
    },
  },
  async run(w, ctx) {
    return { outputs: await runShell(w, ctx) };
  },
};
