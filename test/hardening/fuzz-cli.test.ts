/**
 * Front-end fuzz through the real CLI process: generated and damaged playbooks (see
 * gen-playbook.ts), random --var values and vars files, given to `bootstrap validate` and
 * `bootstrap run`. The process-level claim: never a crash or a stack trace, exit 0 or 2, and
 * every refusal points at a line (`file:line:col`) or at the command-line argument.
 *
 * `run` gets playbooks built from constructs that cannot fail at run time, so a valid one must
 * exit 0; exit 1 is accepted only when the damage left a shell command that bash itself failed
 * (a run's "command failed", or a precondition with bash's error), which is the playbook's own
 * doing.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from '../support/cli.js';
import { playbookDoc, playbookText } from './gen-playbook.js';
import { pool, STACK_FRAME } from './support.js';

export const CLI_CASES = { validate: 120, run: 80 };
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

/** What every invocation must satisfy. */
function checkOutcome(r: { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }, what: string, allowTaskFailure = false) {
  const all = `${what}\n--- exit ${r.code} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`.slice(0, 6000);
  expect(r.signal, all).toBeNull();
  const ok = [0, 2];
  // A command the damage broke fails in bash: as a task's run ("command failed") or as a
  // precondition (its message, then bash's last line in parentheses).
  if (allowTaskFailure && /failed: command failed|failed in \S+: .*\(bash: line \d+: /.test(r.stdout + r.stderr)) ok.push(1);
  expect(ok, all).toContain(r.code);
  expect(r.stdout + r.stderr, all).not.toMatch(STACK_FRAME);
  expect(r.stdout + r.stderr, all).not.toMatch(/internal error/i);
  if (r.code === 2) expect(r.stderr, all).toMatch(/(pb|vars)\.yaml:\d+:\d+: error|<command line>: error|error: --var/);
}

describe('front-end fuzz through the CLI process', () => {
  it(`bootstrap validate on ${CLI_CASES.validate} generated and damaged playbooks`, async () => {
    const cases = fc.sample(playbookText, { numRuns: CLI_CASES.validate, seed });
    const codes = await pool(cases, 4, async ({ kind, text }) => {
      const dir = tempProject({ 'pb.yaml': text });
      const r = await runCli(['validate', 'pb.yaml'], { cwd: dir });
      checkOutcome(r, `seed ${seed}, ${kind}:\n${text.slice(0, 1500)}`);
      fs.rmSync(dir, { recursive: true, force: true });
      return r.code;
    });
    // Both outcomes were exercised.
    expect(codes.filter((c) => c === 0).length).toBeGreaterThan(5);
    expect(codes.filter((c) => c === 2).length).toBeGreaterThan(20);
  }, 170_000);

  it(`bootstrap run on ${CLI_CASES.run} generated playbooks, var values and vars files`, async () => {
    const mutate = fc.oneof(
      { weight: 4, arbitrary: fc.constant((t: string) => t) },
      { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom(':', '- ', '{', '"', '\t', '&a ', '*a', '\uFEFF', '\u202E')).map(([n, j]) => (t: string) => t.slice(0, n % t.length) + j + t.slice(n % t.length)) },
      { weight: 1, arbitrary: fc.constant((t: string) => t.replace(/\n/g, '\r\n')) },
    );
    const varArg = fc.tuple(fc.constantFrom('x', 'a', 'nope', '', 'A'), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('-1', '1e9', 'true', '{"a":1}', '[1]')));
    const varsFile = fc.oneof(fc.constant(undefined), fc.dictionary(fc.constantFrom('x', 'a', 'b', 'nope'), fc.jsonValue({ maxDepth: 2 })).map((o) => stringify(o)), fc.constantFrom('a: [\n', '- 1\n', 'x: &q 1\ny: *q\n'));
    // Half the cases take no --var and no vars file, so that clean runs (exit 0) stay common for
    // every seed, next to the refused ones (exit 2).
    const vars: fc.Arbitrary<[string, string][]> = fc.oneof(fc.constant<[string, string][]>([]), fc.array(varArg, { minLength: 1, maxLength: 2 }));
    const file = fc.oneof(fc.constant(undefined), varsFile);
    const cases = fc.sample(fc.record({ doc: playbookDoc({ safe: true, maxTasks: 4 }), mutate, vars, file }), { numRuns: CLI_CASES.run, seed });
    const codes = await pool(cases, 4, async ({ doc, mutate: m, vars, file }) => {
      const text = m(stringify(doc));
      const dir = tempProject({ 'pb.yaml': text, ...(file !== undefined ? { 'vars.yaml': file } : {}) });
      const args = ['run', 'pb.yaml', '--non-interactive', '--state-dir', path.join(dir, 'state'), ...vars.flatMap(([k, v]) => ['--var', `${k}=${v}`]), ...(file !== undefined ? ['--vars-file', 'vars.yaml'] : [])];
      const r = await runCli(args, { cwd: dir });
      checkOutcome(r, `seed ${seed}: ${JSON.stringify(args)}\n${text.slice(0, 1500)}\nvars file: ${file}`, true);
      fs.rmSync(dir, { recursive: true, force: true });
      return r.code;
    });
    expect(codes.filter((c) => c === 0).length).toBeGreaterThan(5);
    expect(codes.filter((c) => c === 2).length).toBeGreaterThan(5);
  }, 170_000);
});
