/**
 * fast-check generators for the front-end fuzz: valid playbooks (vars of every type, tasks in
 * a DAG with needs, outputs, interpolations, conditions, retries), and mutations of their text
 * (YAML syntax damage, wrong types, deep nesting, duplicate keys, alias bombs, odd Unicode,
 * CRLF, BOM, tabs, huge files).
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

type Obj = Record<string, unknown>;

/** A small deterministic PRNG (mulberry32): the document is built from one fast-check integer. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    int: (n: number) => Math.floor(next() * n),
    chance: (p: number) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof rng>;

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789-';
const ident = (r: Rng, first: string, rest: string, max: number) => r.pick(first.split('')) + Array.from({ length: r.int(max) }, () => r.pick(rest.split(''))).join('');
const varName = (r: Rng) => ident(r, 'abcdefghijklmnopqrstuvwxyz_', 'abcdefghijklmnopqrstuvwxyz0123456789_', 6);
const taskId = (r: Rng) => ident(r, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_', ID_CHARS, 6);

/** One var: a JSON Schema fragment plus the extras; `text` supplies arbitrary strings. */
function varDef(r: Rng, text: () => string, safe: boolean): Obj {
  const kinds = safe ? ['string', 'integer', 'boolean', 'number', 'array', 'object', 'enum'] : ['string', 'integer', 'boolean', 'number', 'array', 'object', 'enum', 'secret', 'template', 'empty'];
  const k = r.pick(kinds);
  const withDefault = safe || r.chance(0.6);
  switch (k) {
    case 'string': {
      const d: Obj = { type: 'string' };
      if (withDefault) d.default = safe ? 'x' : text();
      if (r.chance(0.3) && !safe) d.pattern = r.pick(['^[a-z]+$', '^.*$', '^[0-9a-f-]{1,40}$']);
      if (r.chance(0.5)) d.description = text();
      return d;
    }
    case 'integer':
      return withDefault ? { type: 'integer', default: safe ? 2 : r.pick([-5, 0, 1, 80, 65535, 70000]), ...(r.chance(0.5) ? { minimum: 1, maximum: 65535 } : {}) } : { type: 'integer' };
    case 'boolean':
      return withDefault ? { type: 'boolean', default: r.chance(0.5) } : { type: 'boolean' };
    case 'number':
      return withDefault ? { type: 'number', default: r.pick([0, -0.5, 1.5, 1e300, -1e-300]) } : { type: 'number' };
    case 'array':
      return withDefault ? { type: 'array', default: [text(), text()].slice(0, r.int(3)) } : { type: 'array' };
    case 'object':
      // (an empty key is refused by the loader as an "empty mapping key": see the report)
      return withDefault ? { type: 'object', default: { [text() || 'k']: text() } } : { type: 'object' };
    case 'enum':
      return { enum: ['a', 'b', 'c'], default: safe ? 'a' : r.pick(['a', 'b', 'z']) };
    case 'secret':
      return { secret: true, ...(r.chance(0.5) ? { env: r.pick(['BS_FUZZ_TOKEN', 'GITHUB_TOKEN']) } : {}) };
    case 'template':
      return { default: r.pick(['x-${{ env.HOME }}', "${{ format('{0}', 1) }}", '${{ vars.nope }}']) };
    default:
      return {};
  }
}

/** An expression over what a task may read. */
function expression(r: Rng, vars: string[], upstream: Array<{ id: string; outputs: string[] }>, safe: boolean): string {
  const refs = ['env.HOME', 'playbook.dir', 'run.id', "'lit'", '1', 'true', 'null', ...vars.map((v) => `vars.${v}`), ...upstream.flatMap((u) => [`tasks.${u.id}.status`, ...u.outputs.map((o) => `tasks.${u.id}.outputs.${o}`)])];
  const ref = () => r.pick(refs);
  const fns = safe
    ? [(a: string) => `toJSON(${a})`, (a: string) => `format('<{0}>', ${a})`, (a: string) => `contains(${a}, 'x')`, (a: string) => `startsWith(${a}, '-')`, (a: string) => `join(${a}, ',')`, (a: string) => `default(${a}, 'd')`]
    : [(a: string) => `fromJSON(${a})`, (a: string) => `toJSON(${a})`, (a: string) => `format(${a}, 1)`, (a: string) => `${a}.__proto__`, (a: string) => `${a}['constructor']`, (a: string) => `${a}[0]`];
  switch (r.int(4)) {
    case 0:
      return ref();
    case 1:
      return `${ref()} ${r.pick(['==', '!=', '<', '>=', '&&', '||'])} ${ref()}`;
    case 2:
      return r.pick(fns)(ref());
    default:
      return `!${ref()}`;
  }
}

/** A shell command interpolating a few expressions in the contexts the shell scanner knows. */
function shell(r: Rng, expr: () => string): string {
  const lines = ['echo start'];
  for (let n = r.int(4); n > 0; n--) {
    const i = `\${{ ${expr()} }}`;
    lines.push(r.pick([`printf '%s\\n' ${i}`, `echo "v=${i}"`, `cat <<EOF\n${i}\nEOF`, `true # ${i}`]));
  }
  return lines.join('\n');
}

export interface GenOptions {
  /** Only constructs that cannot fail at run time (for `bootstrap run` through the CLI). */
  safe?: boolean;
  maxTasks?: number;
}

/**
 * A valid playbook as a document: vars of every type, tasks in a DAG (needs on earlier tasks),
 * outputs read downstream, interpolations in run/undo/env, when/unless/preconditions, timeouts
 * and retries. Built from a fast-check integer (fast) and fast-check strings (for odd text).
 */
export function playbookDoc(opts: GenOptions = {}): fc.Arbitrary<Obj> {
  const safe = opts.safe ?? false;
  return fc.tuple(fc.integer(), fc.array(fc.string({ maxLength: 12 }), { minLength: 8, maxLength: 8 })).map(([seed, strings]) => {
    const r = rng(seed);
    let si = 0;
    const text = () => strings[si++ % strings.length]!;
    const doc: Obj = { name: ident(r, 'abcdefghijklmnopqrstuvwxyz', 'abcdefghijklmnopqrstuvwxyz0123456789-', 8) };
    if (r.chance(0.3)) doc.description = text();
    const vars: Obj = {};
    for (let n = r.int(5); n > 0; n--) vars[varName(r)] = varDef(r, text, safe);
    const varNames = Object.keys(vars);
    if (varNames.length) doc.vars = vars;
    const ids = [...new Set(Array.from({ length: 1 + r.int(opts.maxTasks ?? 6) }, () => taskId(r)))];
    const outputsOf = new Map<string, string[]>();
    const tasks: Obj = {};
    ids.forEach((id, i) => {
      const needs = ids.slice(0, i).filter(() => r.chance(0.4));
      const upstream = needs.map((n) => ({ id: n, outputs: outputsOf.get(n)! }));
      const expr = () => expression(r, varNames, upstream, safe);
      const outputs = r.chance(0.35) ? ['o1'] : [];
      outputsOf.set(id, outputs);
      const t: Obj = { run: shell(r, expr) + (outputs.length ? `\necho "o1=out-${id}" >> "$BOOTSTRAP_OUTPUT"` : '') };
      if (needs.length) t.needs = needs;
      if (outputs.length) t.outputs = outputs;
      if (r.chance(0.3)) t.when = `\${{ ${safe ? `${expr()} || true` : expr()} }}`;
      if (r.chance(0.2)) t.unless = r.pick(['false', 'test -e never-there']);
      if (r.chance(0.2)) t.preconditions = [{ run: 'true', msg: 'always' }, { that: '${{ true }}', msg: 'true' }];
      if (r.chance(0.5)) t.undo = shell(r, expr);
      if (r.chance(0.3)) t.timeout = safe ? '30s' : r.pick(['10ms', '1s', '5m', '1h30m', 3, 0.5]);
      if (r.chance(0.3)) t.retries = r.int(3);
      if (r.chance(0.2)) t['retry-delay'] = r.pick(['10ms', '1ms']);
      if (r.chance(0.2)) t.env = { [ident(r, 'ABCXYZ_', 'ABCXYZ_0123', 4)]: `\${{ ${expr()} }}` };
      if (r.chance(0.2)) t.description = text();
      tasks[id] = t;
    });
    doc.tasks = tasks;
    // A var that nothing reads is a warning: read every var once, in the first task.
    const first = tasks[ids[0]!] as Obj;
    if (varNames.length) first.run = `${first.run as string}\n${varNames.map((v) => `echo "\${{ vars.${v} }}"`).join('\n')}`;
    return doc;
  });
}

// ---------------------------------------------------------------------------------------------
// Mutations

const YAML_JUNK = [':', ': ', '- ', '-', '{', '}', '[', ']', ',', '"', "'", '#', '&a ', '*a', '*nope', '!!binary ', '!!str ', '!tag ', '? ', '|', '>', '%YAML 1.2\n', '---\n', '...\n', '\t', '  ', '\n', '@', '`', '<<: *a\n', '${{', '}}', '${{ vars. }}', 'null', '~'];
const ODD_UNICODE = ['\uFEFF', '\u200B', '\u200D', '\u202E', '\u2028', '\u2029', '\uFFFE', '\uD800', '\uDFFF', '😀', 'e\u0301', '\u0000', '\u001b[31m', '\u0085', '\u00A0', 'ǅ', 'İ', 'ß', '\u0007', '\r'];

const at = (text: string, n: number) => (text.length ? n % (text.length + 1) : 0);

/** A way of damaging a playbook's text. */
export type Mutation = (text: string) => string;

const mutation: fc.Arbitrary<{ name: string; apply: Mutation }> = fc.oneof(
  fc.constant({ name: 'none', apply: (t: string) => t }),
  fc.tuple(fc.nat(), fc.constantFrom(...YAML_JUNK)).map(([n, junk]) => ({ name: 'yaml-junk', apply: (t: string) => t.slice(0, at(t, n)) + junk + t.slice(at(t, n)) })),
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([n, len]) => ({ name: 'delete', apply: (t: string) => t.slice(0, at(t, n)) + t.slice(at(t, n) + len) })),
  fc.nat().map((n) => ({
    name: 'duplicate-line',
    apply: (t: string) => {
      const ls = t.split('\n');
      const i = n % ls.length;
      ls.splice(i, 0, ls[i]!);
      return ls.join('\n');
    },
  })),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => ({
    name: 'swap-lines',
    apply: (t: string) => {
      const ls = t.split('\n');
      const i = a % ls.length;
      const j = b % ls.length;
      [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      return ls.join('\n');
    },
  })),
  fc.tuple(fc.nat(), fc.integer({ min: -3, max: 3 })).map(([n, d]) => ({
    name: 'indent',
    apply: (t: string) => {
      const ls = t.split('\n');
      const i = n % ls.length;
      ls[i] = d > 0 ? ' '.repeat(d) + ls[i] : ls[i]!.slice(-d);
      return ls.join('\n');
    },
  })),
  fc.tuple(fc.nat(), fc.constantFrom(...ODD_UNICODE)).map(([n, u]) => ({ name: 'odd-unicode', apply: (t: string) => t.slice(0, at(t, n)) + u + t.slice(at(t, n)) })),
  fc.constant({ name: 'crlf', apply: (t: string) => t.replace(/\n/g, '\r\n') }),
  fc.constant({ name: 'bom', apply: (t: string) => '\uFEFF' + t }),
  fc.constant({ name: 'bom-crlf', apply: (t: string) => '\uFEFF' + t.replace(/\n/g, '\r\n') }),
  fc.constant({ name: 'tabs', apply: (t: string) => t.replace(/^( {2})+/gm, (m) => '\t'.repeat(m.length / 2)) }),
  fc.constant({ name: 'truncate-half', apply: (t: string) => t.slice(0, Math.floor(t.length / 2)) }),
  fc.constant({ name: 'second-document', apply: (t: string) => `${t}\n---\nname: other\ntasks:\n  x:\n    run: echo x\n` }),
);

/** Structural damage to the document before it is written out. */
const structural: fc.Arbitrary<{ name: string; apply: (d: Obj) => Obj }> = fc.oneof(
  fc.tuple(fc.constantFrom('name', 'vars', 'tasks', 'description', 'assert', 'outputs', 'confirm', 'bogus'), fc.jsonValue({ maxDepth: 2 })).map(([k, v]) => ({ name: `wrong-type:${k}`, apply: (d: Obj) => ({ ...d, [k]: v }) })),
  fc.tuple(fc.constantFrom('needs', 'run', 'when', 'unless', 'undo', 'timeout', 'retries', 'retry-delay', 'outputs', 'env', 'cwd', 'preconditions', 'uses', 'with', 'nedds'), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('${{', '${{ vars.nope }}', '${{ tasks.nope.outputs.x }}', "echo '${{ vars.x }}'", '-1s', 'soon'))).map(([k, v]) => ({
    name: `wrong-task-field:${k}`,
    apply: (d: Obj) => {
      const tasks = { ...(d.tasks as Obj) };
      const id = Object.keys(tasks)[0]!;
      tasks[id] = { ...(tasks[id] as Obj), [k]: v };
      return { ...d, tasks };
    },
  })),
  fc.constantFrom('prereqs', 'http-check', 'port-free', 'github-repo', 'kubernetes', 'nope').chain((uses) =>
    fc.jsonValue({ maxDepth: 3 }).map((w) => ({
      name: `uses:${uses}`,
      apply: (d: Obj) => {
        const tasks = { ...(d.tasks as Obj) };
        const id = Object.keys(tasks)[0]!;
        const t = { ...(tasks[id] as Obj) };
        delete t.run;
        delete t.outputs;
        tasks[id] = { ...t, uses, with: uses === 'prereqs' ? { tools: [{ name: 'bash' }] } : w };
        return { ...d, tasks };
      },
    })),
  ),
  fc.constant({
    name: 'cycle',
    apply: (d: Obj) => {
      const tasks = { ...(d.tasks as Obj) };
      const ids = Object.keys(tasks);
      const first = ids[0]!;
      const last = ids[ids.length - 1]!;
      tasks[first] = { ...(tasks[first] as Obj), needs: [last] };
      return { ...d, tasks };
    },
  }),
);

/** An alias bomb ("billion laughs") placed under an unknown key or inside a var default. */
export function aliasBomb(width: number, depth: number): string {
  let s = `bomb0: &b0 [${Array(width).fill('"lol"').join(', ')}]\n`;
  for (let i = 1; i < depth; i++) s += `bomb${i}: &b${i} [${Array(width).fill(`*b${i - 1}`).join(', ')}]\n`;
  return s;
}

/** A playbook text: valid, damaged, or one of the extreme shapes. */
export const playbookText: fc.Arbitrary<{ kind: string; text: string }> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(playbookDoc(), mutation).map(([d, m]) => ({ kind: m.name, text: m.apply(stringify(d)) })) },
  { weight: 2, arbitrary: fc.tuple(playbookDoc(), structural, mutation).map(([d, s, m]) => ({ kind: `${s.name}+${m.name}`, text: m.apply(stringify(s.apply(d))) })) },
  { weight: 1, arbitrary: fc.tuple(playbookDoc(), fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 9 })).map(([d, w, depth]) => ({ kind: 'alias-bomb', text: aliasBomb(w, depth) + stringify(d) })) },
  {
    weight: 1,
    // Written as flow text: the nesting is deeper than yaml's own stringify can go.
    arbitrary: fc.tuple(playbookDoc(), fc.integer({ min: 20, max: 1200 }), fc.boolean()).map(([d, depth, seq]) => ({
      kind: `deep-${seq ? 'seq' : 'map'}`,
      text: `${stringify(d)}outputs:\n  deep: ${seq ? '['.repeat(depth) + 'x' + ']'.repeat(depth) : '{k: '.repeat(depth >> 2) + 'x' + '}'.repeat(depth >> 2)}\n`,
    })),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map((t) => ({ kind: 'random-text', text: t })) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.array(fc.constantFrom(...YAML_JUNK, 'name', 'tasks', 'run', 'a', 'x:', '\n  '), { maxLength: 60 })).map(([parts]) => ({ kind: 'yaml-soup', text: parts.join('') })),
  },
);

/** A huge playbook (n tasks in a chain, each with a long command). */
export function hugePlaybook(n: number, lineLength: number): string {
  const out = ['name: huge', 'tasks:'];
  for (let i = 0; i < n; i++) {
    out.push(`  t${i}:`, `    run: echo ${'x'.repeat(lineLength)}`);
    if (i) out.push(`    needs: [t${i - 1}]`);
  }
  return out.join('\n') + '\n';
}
