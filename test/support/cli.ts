/**
 * Run the real CLI (bin/bootstrap.cjs -> dist/, built by `npm test` before vitest starts) as a
 * child process, for process-level tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin', 'bootstrap.cjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** Environment for CLI runs: no colours, no CI heuristics from the outer environment. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, BOOTSTRAP_STATE_DIR: undefined, ...extra };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/** Start the CLI; the caller owns the child (for signal tests). */
export function spawnCli(args: string[], o: CliOptions): ChildProcess & { output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: o.cwd, env: cliEnv(o.env), stdio: ['pipe', 'pipe', 'pipe'] }) as ChildProcess & {
    output: { stdout: string; stderr: string };
  };
  child.output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (child.output.stdout += d));
  child.stderr!.on('data', (d) => (child.output.stderr += d));
  if (o.input !== undefined) child.stdin!.end(o.input);
  else child.stdin!.end();
  return child;
}

/** Run the CLI to completion. */
export function runCli(args: string[], o: CliOptions): Promise<CliResult> {
  const child = spawnCli(args, o);
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bootstrap ${args.join(' ')} did not finish in ${o.timeoutMs ?? 60_000}ms\n${child.output.stdout}\n${child.output.stderr}`));
    }, o.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, ...child.output });
    });
  });
}

/** Resolves when `predicate(stdout + stderr)` holds (polls the child's collected output). */
export async function waitForOutput(child: ReturnType<typeof spawnCli>, predicate: (text: string) => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!predicate(child.output.stdout + child.output.stderr)) {
    if (child.exitCode !== null) throw new Error(`exited (${child.exitCode}) before the expected output:\n${child.output.stdout}\n${child.output.stderr}`);
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for output:\n${child.output.stdout}\n${child.output.stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A fresh temp dir with files written into it. */
export function tempProject(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-test-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Parse a journal file into records (skipping a torn last line). */
export function journalOf(stateDir: string): Array<Record<string, any>> {
  const p = path.join(stateDir, 'journal.jsonl');
  if (!fs.existsSync(p)) return [];
  return fs
    .readFileSync(p, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}
