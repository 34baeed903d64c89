import { describe, expect, it } from 'vitest';
import type { TaskKind } from '../../tasks/kind.js';
import { loadPlaybook } from '../../runner/playbook/load.js';
import { brief, find, fixture, load, loadText } from './helpers.js';
import { fakeKinds } from './fake-kinds.js';

describe('loadPlaybook: every problem at once, with line:col', () => {
  it('reports all the problems of one file, in order, each at its place', async () => {
    const { playbook, diagnostics } = await load(fixture('many-errors.yaml'));
    expect(playbook).toBeUndefined();
    expect(diagnostics.every((d) => d.file === fixture('many-errors.yaml'))).toBe(true);
    expect(brief(diagnostics)).toEqual([
      "1:7 `name`: expected a name of lowercase letters, digits and `-`, starting with a letter or digit (e.g. `kind-registry`), got the string \"Bad_Name\"",
      "2:1 unknown top-level field `descripton`; did you mean `description`?",
      "4:19 `type` of var `region`: expected one of \"string\", \"integer\", \"number\", \"boolean\", \"array\", \"object\", got the string \"strin\"",
      "5:36 invalid default for var `count`: expected an integer, got \"many\"",
      "6:3 warning: var `a` is declared but never used",
      "7:3 var `a.b` conflicts with var `a`: `vars.a` cannot be both a value and a group of vars",
      "7:3 warning: var `a.b` is declared but never used",
      "8:3 invalid var name `Bad-Var` in `vars` (must match ^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*$)",
      "9:3 warning: var `rg` is declared but never used",
      "10:18 `default` of var `rg`: `tasks` cannot be used in var defaults; only `vars`, `env` and `playbook` are available",
      "12:15 `that` of assert rule 1: `tasks` cannot be used in assert rules; only `vars`, `env` and `playbook` are available",
      "14:5 missing required field `that` in assert rule 2",
      "17:5 unknown field `nedds` in task `setup`; did you mean `needs`?",
      "18:13 task `setup` needs unknown task `bsae`",
      "18:19 task `setup` needs itself",
      "19:19 `run` of task `setup`: unknown var `regoin`; did you mean `region`?",
      "19:43 `run` of task `setup`: interpolation inside single quotes is not allowed: use double quotes (\"...${{ x }}...\") or leave it unquoted",
      "20:14 `timeout` of task `setup`: expected a duration such as 30s, 5m, 1h30m or 500ms, or a number of seconds, got the string \"5 minutes\"",
      "21:14 `retries` of task `setup` must be <= 100, got the number 101",
      "25:11 unknown task kind `hlem` in task `deploy`; did you mean `helm`?",
      "29:5 task `both` has both `run` and `uses`: a task runs a shell command or uses a task kind, not both",
      "30:3 task `neither` has neither `run` nor `uses`",
      "36:16 `with.release` of task `chart`: release names are lowercase",
      "37:14 `with.chart` of task `chart`: expected a string, got the number 42",
      "38:17 `with.replicas` of task `chart` must be >= 1, got the number 0",
      "39:22 `with.namespace` of task `chart`: task `setup` has no output `nope`",
      "40:7 unknown field `extra` in `with` of task `chart` (task kind `helm`)",
      "42:19 task `reader` reads outputs of `chart` but does not need it (add `chart` to needs)",
      "42:55 `run` of task `reader`: unknown task `ghost`",
      "42:84 `run` of task `reader`: unknown field `outptus` of `tasks.setup`; did you mean `outputs`?",
      "43:11 `when` of task `reader` must be one expression, not text with `${{ }}` in it",
      "44:11 `undo` of task `reader`: expected a shell command, or false to turn undo off, got `true`"
    ]);
  });

  it('gives the expected form and an end column for schema problems', async () => {
    const { diagnostics } = await load(fixture('many-errors.yaml'));
    const d = find(diagnostics, 'unknown field `nedds`');
    expect(d).toMatchObject({ line: 17, col: 5, endLine: 17, endCol: 10, severity: 'error' });
    expect(d.expected).toContain('`needs`');
    expect(find(diagnostics, '`timeout` of task `setup`').expected).toMatch(/duration/);
  });

  it('prints each dependency cycle once, with its path', async () => {
    const { diagnostics } = await load(fixture('cycles.yaml'));
    expect(brief(diagnostics)).toEqual([
      '4:13 dependency cycle: a -> c -> b -> a',
      '13:12 dependency cycle: d -> e -> d',
    ]);
  });

  it('reports cycles among var defaults and a default reading itself', async () => {
    const { diagnostics } = await load(fixture('var-cycle.yaml'));
    expect(brief(diagnostics)).toEqual([
      '3:17 var defaults form a cycle: a -> b -> c -> a',
      '6:17 the default of var `d` reads itself',
    ]);
  });

  it('turns YAML syntax errors into diagnostics', async () => {
    const { playbook, diagnostics } = await load(fixture('bad-yaml.yaml'));
    expect(playbook).toBeUndefined();
    expect(brief(diagnostics)).toEqual([
      '5:3 YAML syntax error: flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('reports duplicate keys at the repeated key', async () => {
    const { diagnostics } = await load(fixture('duplicate-keys.yaml'));
    expect(brief(diagnostics)).toEqual([
      '5:5 duplicate key `run` (a key may appear only once in a mapping)',
      '6:3 duplicate key `build` (a key may appear only once in a mapping)',
    ]);
  });

  it('refuses an alias bomb without expanding it', async () => {
    const { diagnostics } = await load(fixture('alias-bomb.yaml'));
    expect(brief(diagnostics)).toEqual(['3:8 too many alias expansions (more than 100): this looks like an alias bomb']);
  });

  it('counts positions the same with a BOM and with CRLF line ends', async () => {
    const lines = ['name: crlf', 'tasks:', '  a:', '    run: echo ${{ vars.nope }}', '    nedds: [b]'];
    for (const [label, text] of [
      ['lf', lines.join('\n')],
      ['crlf', lines.join('\r\n') + '\r\n'],
      ['bom', '\uFEFF' + lines.join('\n')],
      ['bom+crlf', '\uFEFF' + lines.join('\r\n')],
    ] as const) {
      const { diagnostics } = await loadText(text);
      expect(brief(diagnostics), label).toEqual([
        '4:19 `run` of task `a`: unknown var `nope`',
        '5:5 unknown field `nedds` in task `a`; did you mean `needs`?',
      ]);
    }
  });

  it('points into plain, quoted and literal block scalars exactly', async () => {
    const { diagnostics } = await loadText(
      [
        'name: cols',
        'vars:',
        '  region: { default: x }',
        'tasks:',
        '  plain:',
        '    run: echo ${{ vars.regon }}',
        '  single:',
        "    run: 'echo ''hi'' ${{ vars.regon }}'",
        '  double:',
        '    run: "echo \\"hi\\" ${{ vars.regon }}"',
        '  block:',
        '    run: |',
        '      echo first line',
        '        echo ${{ vars.regon }} # indented more',
        '    undo: echo ${{ vars.region }}',
        '  when:',
        '    when: vars.region == 1 &&',
        '    run: "true"',
      ].join('\n'),
    );
    expect(brief(diagnostics)).toEqual([
      '6:19 `run` of task `plain`: unknown var `regon`; did you mean `region`?',
      '8:27 `run` of task `single`: unknown var `regon`; did you mean `region`?',
      '10:27 `run` of task `double`: unknown var `regon`; did you mean `region`?',
      '14:18 `run` of task `block`: unknown var `regon`; did you mean `region`?',
      '17:30 `when` of task `when`: unexpected end of expression: expected a value',
    ]);
    const d = find(diagnostics, 'task `block`');
    expect([d.endLine, d.endCol]).toEqual([14, 28]);
  });

  it('checks what expressions read: contexts, tasks, outputs, upstream, status', async () => {
    const { diagnostics } = await loadText(
      [
        'name: refs',
        'tasks:',
        '  a:',
        '    run: echo hi',
        '    outputs: { url: {} }',
        '  b:',
        '    needs: [a]',
        '    run: echo ${{ tasks.a.outputs.url }} ${{ tasks.a.outputs.uri }} ${{ tasks.b.outputs.x }}',
        '    undo: echo ${{ tasks.b.outputs.x }} ${{ playbook.dir }} ${{ playbook.root }} ${{ run.id }} ${{ run.x }}',
        '    outputs: [x]',
        '  c:',
        '    when: tasks.a.status == \'succeeded\'',
        '    run: echo ${{ env.HOME }}',
        '  d:',
        '    needs: [c]',
        '    uses: helm',
        '    with: { release: r, chart: c, namespace: "${{ tasks.a.outputs.url }}" }',
        '  e:',
        '    needs: [d]',
        '    run: echo ${{ tasks.d.outputs.revision }} ${{ tasks.d.outputs.revison }}',
      ].join('\n'),
    );
    expect(brief(diagnostics)).toEqual([
      '8:46 `run` of task `b`: task `a` has no output `uri`; did you mean `url`?',
      '8:73 `run` of task `b`: task `b` reads outputs of itself',
      '9:65 `undo` of task `b`: unknown field `root` of `playbook`',
      '9:100 `undo` of task `b`: unknown field `x` of `run`',
      '12:11 task `c` reads the status of `a` but does not need it (add `a` to needs)',
      // upstream is transitive: e needs d needs c; d does not need a
      '17:51 task `d` reads outputs of `a` but does not need it (add `a` to needs)',
      '20:51 `run` of task `e`: task `d` has no output `revison`; did you mean `revision`?',
    ]);
    expect(find(diagnostics, 'no output `uri`').hint).toMatch(/declare it in `outputs` of task `a`/);
    expect(find(diagnostics, 'no output `revison`').hint).toBe('task kind `helm` sets `revision`, `token`');
  });

  it('allows transitive upstream reads', async () => {
    const { diagnostics, playbook } = await loadText(
      [
        'name: upstream',
        'tasks:',
        '  a: { run: echo, outputs: [o] }',
        '  b: { needs: a, run: echo }',
        '  c: { needs: [b], run: "echo ${{ tasks.a.outputs.o }}", when: "tasks.a.status == \'succeeded\'" }',
      ].join('\n'),
    );
    expect(brief(diagnostics)).toEqual([]);
    expect(playbook?.tasks.size).toBe(3);
  });

  it('checks `with` against the kind: schema, own validate, templates left to run time', async () => {
    const { diagnostics } = await loadText(
      [
        'name: kinds',
        'vars:',
        '  n: { type: integer, default: 2 }',
        'tasks:',
        '  ok:',
        '    uses: helm',
        '    with: { release: r, chart: c, replicas: "${{ vars.n }}", wait: "${{ vars.n > 1 }}" }',
        '  missing:',
        '    uses: helm',
        '  tools:',
        '    uses: prereqs',
        '    with:',
        '      tools:',
        '        - name: kind',
        '        - { nmae: helm, min: "3" }',
        '  shell:',
        '    run: "true"',
        '    with: { x: 1 }',
        '  outs:',
        '    uses: port-free',
        '    outputs: [port]',
      ].join('\n'),
    );
    expect(brief(diagnostics)).toEqual([
      '9:5 missing required field `release` in `with` of task `missing` (task kind `helm`)',
      '9:5 missing required field `chart` in `with` of task `missing` (task kind `helm`)',
      "15:11 missing required field `name` in `with.tools[1]` of task `tools` (task kind `prereqs`)",
      '15:13 unknown field `nmae` in `with.tools[1]` of task `tools` (task kind `prereqs`); did you mean `name`?',
      '15:30 `with.tools[1].min` of task `tools`: the string "3" does not match ^\\d+\\.\\d+\\.\\d+$',
      '18:5 `with` in task `shell` is only for tasks that `uses` a task kind',
      '21:5 task `outs` uses task kind `port-free`, which sets its own outputs; `outputs` is only for `run` tasks',
    ]);
  });

  it('turns a throwing kind validate into a diagnostic, not an exception', async () => {
    const boom: TaskKind = {
      name: 'boom',
      description: 'throws',
      schema: { type: 'object' },
      validate() {
        throw new Error('kaboom');
      },
      run: async () => ({}),
    };
    const kinds = new Map([...fakeKinds, ['boom', boom]]);
    const text = 'name: boom\ntasks:\n  x:\n    uses: boom\n    with: { a: 1 }\n';
    const { file } = await loadText(text);
    const { diagnostics } = await loadPlaybook(file, { kinds });
    expect(brief(diagnostics)).toEqual(['5:11 `with` of task `x`: cannot be checked: kaboom']);
  });

  it('turns an unexpected exception into a diagnostic without a stack trace', async () => {
    const broken = new Map(fakeKinds);
    broken.get = () => {
      throw new TypeError('registry exploded');
    };
    const { file } = await loadText('name: x\ntasks:\n  a:\n    uses: helm\n');
    const { playbook, diagnostics } = await loadPlaybook(file, { kinds: broken });
    expect(playbook).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file, severity: 'error', message: 'internal error while loading the playbook: registry exploded' });
    expect(JSON.stringify(diagnostics)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('reports an empty file, a non-mapping and a missing file', async () => {
    expect(brief((await loadText('')).diagnostics)).toEqual(['1:1 the playbook is empty']);
    expect(brief((await loadText('- a\n- b\n')).diagnostics)).toEqual(['1:1 the playbook must be a mapping']);
    const missing = await load(fixture('does-not-exist.yaml'));
    expect(brief(missing.diagnostics)).toEqual(['0:0 cannot read the playbook: no such file']);
  });

  it('reports missing top-level fields and wrong types with what was expected', async () => {
    const { diagnostics } = await loadText('description: x\nvars: []\nassert: {}\n');
    expect(brief(diagnostics)).toEqual([
      '1:1 missing required field `name` at the top level',
      '1:1 missing required field `tasks` at the top level',
      '2:7 `vars`: expected a mapping from var name to var definition, got a list',
      '3:9 `assert`: expected a list of rules, each { that, msg }, got a mapping',
    ]);
    const t = await loadText('name: t\ntasks:\n  a:\n    run: x\n    needs: { a: 1 }\n    preconditions: [ { msg: m } ]\n');
    expect(brief(t.diagnostics)).toEqual([
      '5:12 `needs` of task `a`: expected a list of task ids, or one task id, got a mapping',
      '6:22 precondition 1 of task `a` needs `run` (a command) or `that` (an expression)',
    ]);
    expect(t.diagnostics[0]!.expected).toBe('a list of task ids, or one task id');
  });
});
