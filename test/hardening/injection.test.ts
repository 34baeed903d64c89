/**
 * Injection through the real CLI: any string, as a var value (--vars-file, --var) or as an
 * upstream task's OUTPUT value, interpolated in `run`, `undo`, `unless` and `preconditions`,
 * arrives as exactly one word, verbatim, and runs nothing. Values are batched: one playbook with
 * two tasks per value (a producer whose output carries the value, a consumer that interpolates
 * the var and the output everywhere), a few playbooks per test.
 *
 * Also: values that begin with `-` where a kind passes them to a program as argv (helm's chart),
 * and expressions reaching for prototypes through the CLI.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { journalOf, runCli, tempProject } from '../support/cli.js';
import { createTaskContext } from '../../tasks/context.js';
import { helmKind } from '../../tasks/helm.js';
import { TaskError } from '../../tasks/kind.js';
import { pool } from './support.js';

export const INJECTION = { values: 240, playbooks: 4 };
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;

/** Values: arbitrary Unicode and bytes, shell metacharacters, option-like words, heredoc traps. */
function values(canary: string): fc.Arbitrary<string> {
  const piece = fc.constantFrom(
    `$(touch ${canary})`, `\`touch ${canary}\``, `'; touch ${canary}; '`, `"; touch ${canary}; "`, `\ntouch ${canary}\n`, `a[$(touch ${canary})]`,
    '$(touch PWNED)', '`touch PWNED`', '; touch PWNED', '| touch PWNED', '&& touch PWNED', '\ntouch PWNED',
    'EOF', '\nEOF\n', '__BS_END', "'", '"', '`', '\\', '$', '${HOME}', '$HOME', '$1', '$@', '*', '?', '~', '{a,b}', '!', '#', ' ', '\t', '\n', '\r', '\r\n',
    '-n', '-e', '--', '-rf', '--help', '--version=1', '-', '%s', '%n', 'é', '😀', '\u202E', '\uFEFF', '\u2028', 'name=v', 'x<<y',
  );
  // No NUL (bash cannot hold it: a documented error) and no lone surrogate (not encodable in UTF-8).
  const wellFormed = (s: string) => !s.includes('\0') && !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
  return fc.oneof(
    fc.array(piece, { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
    fc.array(piece, { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
    fc.string({ unit: 'grapheme', maxLength: 20 }).filter(wellFormed),
    fc.string({ unit: 'binary', maxLength: 20 }).filter(wellFormed),
    fc.string({ maxLength: 12 }).map((s) => `-${s}`),
    fc.constantFrom('', ' ', '\n', '-', '--', '-n'),
  );
}

/** The playbook: per value i, producer p<i> (output `o` = the value) and consumer c<i>. */
function playbook(n: number, delim: string): string {
  const lines = ['name: inject', 'vars:'];
  for (let i = 0; i < n; i++) lines.push(`  v${i}: { description: value ${i} }`);
  lines.push('tasks:');
  for (let i = 0; i < n; i++) {
    const v = `\${{ vars.v${i} }}`;
    const o = `\${{ tasks.p${i}.outputs.o }}`;
    lines.push(
      `  p${i}:`,
      `    run: |`,
      `      { echo "o<<${delim}"; cat values/${i}; echo; echo "${delim}"; } >> "$BOOTSTRAP_OUTPUT"`,
      `    outputs: [o]`,
      `    undo: false`,
      `  c${i}:`,
      `    needs: [p${i}]`,
      `    unless: printf '%s' ${o} > out/${i}.unless.out; printf '%s' ${v} > out/${i}.unless.var; false`,
      `    preconditions:`,
      `      - run: printf '%s' ${v} > out/${i}.pre.var; printf '%s' "${o}" > out/${i}.pre.out`,
      `    run: |`,
      `      printf '%s' ${v} > out/${i}.run.var`,
      `      printf '%s' "<${v}>" > out/${i}.dq.var`,
      `      set -- ${v}; echo $# > out/${i}.count.var`,
      `      printf '%s' ${o} > out/${i}.run.out`,
      `      printf '%s' "<${o}>" > out/${i}.dq.out`,
      `      set -- ${o}; echo $# > out/${i}.count.out`,
      `      cat > out/${i}.heredoc.out <<EOF`,
      `      ${o}`,
      `      EOF`,
      `    undo: |`,
      `      printf '%s' ${v} > out/${i}.undo.var`,
      `      printf '%s' "${o}" > out/${i}.undo.out`,
    );
  }
  return lines.join('\n') + '\n';
}

describe('injection through the CLI: var values and output values in run, undo, unless, preconditions', () => {
  it(`${INJECTION.values} values in ${INJECTION.playbooks} playbooks arrive verbatim as one word and run nothing`, async () => {
    const perBook = INJECTION.values / INJECTION.playbooks;
    const books = Array.from({ length: INJECTION.playbooks }, (_, b) => b);
    await pool(books, 2, async (b) => {
      const dir = tempProject();
      const canary = path.join(dir, 'CANARY');
      const vals = fc.sample(values(canary), { numRuns: perBook, seed: seed + b });
      const delim = `__BS_END_${randomBytes(8).toString('hex')}`;
      fs.mkdirSync(path.join(dir, 'values'));
      fs.mkdirSync(path.join(dir, 'out'));
      vals.forEach((v, i) => fs.writeFileSync(path.join(dir, 'values', String(i)), v));
      fs.writeFileSync(path.join(dir, 'pb.yaml'), playbook(perBook, delim));
      // The var values travel in a vars file (JSON is YAML), except the first few on --var.
      const onCli = 8;
      fs.writeFileSync(path.join(dir, 'vars.yaml'), JSON.stringify(Object.fromEntries(vals.slice(onCli).map((v, i) => [`v${i + onCli}`, v]))));
      const cli = vals.slice(0, onCli).flatMap((v, i) => ['--var', `v${i}=${v}`]);
      const run = await runCli(['run', 'pb.yaml', '--vars-file', 'vars.yaml', ...cli, '--concurrency', '8', '--non-interactive'], { cwd: dir, timeoutMs: 120_000 });
      expect(run.code, `seed ${seed + b}\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
      const undo = await runCli(['undo', 'pb.yaml', '--concurrency', '8'], { cwd: dir, timeoutMs: 120_000 });
      expect(undo.code, `seed ${seed + b}\n${undo.stdout.slice(-3000)}\n${undo.stderr.slice(-3000)}`).toBe(0);

      const read = (name: string) => fs.readFileSync(path.join(dir, 'out', name), 'utf8');
      vals.forEach((v, i) => {
        const what = `seed ${seed + b}, value ${i}: ${JSON.stringify(v)}`;
        for (const src of ['var', 'out']) {
          expect(read(`${i}.run.${src}`), `${what} (run, ${src})`).toBe(v);
          expect(read(`${i}.dq.${src}`), `${what} (run in "...", ${src})`).toBe(`<${v}>`);
          expect(read(`${i}.count.${src}`).trim(), `${what} (one word, ${src})`).toBe('1');
          expect(read(`${i}.unless.${src}`), `${what} (unless, ${src})`).toBe(v);
          expect(read(`${i}.pre.${src}`), `${what} (precondition, ${src})`).toBe(v);
          expect(read(`${i}.undo.${src}`), `${what} (undo, ${src})`).toBe(v);
        }
        expect(read(`${i}.heredoc.out`), `${what} (here-document)`).toBe(`${v}\n`);
      });
      // Nothing ran: no canary anywhere, no file the values name.
      expect(fs.existsSync(canary)).toBe(false);
      expect(fs.readdirSync(dir).sort()).toEqual(['.bootstrap', 'out', 'pb.yaml', 'values', 'vars.yaml']);
      // The journal holds the values as they were given (undo used them from there).
      const starts = journalOf(path.join(dir, '.bootstrap/inject')).filter((r) => r.type === 'task-end' && r.task.startsWith('p'));
      expect(starts).toHaveLength(perBook);
    });
  }, 170_000);

  it('expressions through the CLI cannot reach prototypes, constructors or globals', async () => {
    const j = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"a":[1,{"b":"c"}]}';
    const dir = tempProject({
      'pb.yaml': `name: expr
vars:
  j: {}
tasks:
  t:
    run: |
      printf '%s|' \${{ fromJSON(vars.j).__proto__ }} \${{ fromJSON(vars.j)['constructor'] }} \${{ fromJSON(vars.j).polluted }} \${{ vars.j.length }} \${{ fromJSON(vars.j).a[1].b }} > out.txt
      printf '%s|' \${{ toJSON(fromJSON(vars.j)) }} \${{ format('{0}', fromJSON(vars.j).constructor.prototype) }} \${{ fromJSON(vars.j).a.length }} >> out.txt
`,
    });
    const r = await runCli(['run', 'pb.yaml', '--var', `j=${j}`], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8')).toBe(`||||c|${j}|||`);
  });
});

describe('values that begin with "-" where a kind passes argv', () => {
  /** A fake `helm` on PATH that records its argv (one NUL-separated line per call) and succeeds. */
  function fakeHelm(dir: string): { env: Record<string, string>; calls: () => string[][] } {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin, { recursive: true });
    const log = path.join(dir, 'helm-calls');
    fs.writeFileSync(
      path.join(bin, 'helm'),
      `#!/bin/bash
printf '%s\\0' "$@" >> ${JSON.stringify(log)}; printf '\\n' >> ${JSON.stringify(log)}
case "$1" in
  version) echo "v3.17.0+g301108e" ;;
  status) echo "Error: release: not found" >&2; exit 1 ;;
  list) echo "[]" ;;
  *) exit 0 ;;
esac
`,
      { mode: 0o755 },
    );
    return {
      env: { PATH: `${bin}:${process.env.PATH}` },
      calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => l.split('\0').slice(0, -1)) : []),
    };
  }

  // Regression (found by the hardening suite, fixed): tasks/helm.ts passes `chart` to helm as a positional argument without `--`
  // and without refusing a leading `-`. A chart value such as `--post-renderer=x` (from a var:
  // `chart: ${{ vars.chart }}`) reaches helm as an option. Expected: the kind refuses a chart
  // that starts with "-" (TaskError, before running helm), or puts `--` before its positionals.
  // Suspect tasks/helm/cli.ts resolveChart / tasks/helm/schema.ts checkResolved.
  it('helm: a chart value starting with "-" never reaches helm as an option', async () => {
    for (const chart of ['--post-renderer=evil', '-f', '--dry-run']) {
      const dir = tempProject();
      const helm = fakeHelm(dir);
      const ctx = createTaskContext({ taskId: 'h', playbookDir: dir, stateDir: dir, env: { ...process.env, ...helm.env } });
      let error: unknown;
      try {
        await helmKind.run({ release: 'reg', chart, namespace: 'ns', wait: false }, ctx);
      } catch (e) {
        error = e;
      }
      for (const argv of helm.calls()) {
        const at = argv.indexOf(chart);
        if (at < 0) continue;
        const dashdash = argv.indexOf('--');
        expect(dashdash >= 0 && dashdash < at, `helm ${argv.join(' ')}: chart ${chart} passed as an option`).toBe(true);
      }
      if (error) expect(error).toBeInstanceOf(TaskError);
    }
  });

  it('helm: release, namespace and timeout values that begin with "-" are refused before helm runs', async () => {
    for (const w of [{ release: '-x' }, { namespace: '--all-namespaces' }, { timeout: '-1s' }]) {
      const dir = tempProject();
      const helm = fakeHelm(dir);
      const ctx = createTaskContext({ taskId: 'h', playbookDir: dir, stateDir: dir, env: { ...process.env, ...helm.env } });
      await expect(helmKind.run({ release: 'reg', chart: 'repo/chart', namespace: 'ns', ...w }, ctx)).rejects.toBeInstanceOf(TaskError);
      expect(helm.calls(), JSON.stringify(w)).toEqual([]);
    }
  });
});
