/**
 * `bootstrap run --dry-run`: the resolved steps in dependency order, secrets masked, nothing
 * run (no state dir, no journal, no lock). Values that come from earlier tasks' outputs or
 * statuses are not known before those tasks run: they are shown as written (`${{ ... }}`).
 */
import type { TaskKind } from '../../tasks/kind.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { references, truthy, type Expr } from '../expr/index.js';
import { Graph, topoOrder } from '../graph.js';
import type { Check, Playbook, Template, ValueTemplate } from '../playbook/model.js';
import { formatMs } from '../process.js';
import { Resolver, type EvalContext } from '../resolve.js';
import { Masker } from '../secrets.js';
import { quoteBashWord, commentPlaceholder } from '../shell/index.js';
import type { ShellTemplate } from '../shell/template.js';
import { styleFor } from '../reporters/style.js';
import type { Io } from './common.js';
import { resolveRunVars } from './vars.js';

const readsTasks = (e: Expr) => references(e).some((r) => r.path[0] === 'tasks');
const verbatim = (source: string) => `\${{ ${source.trim()} }}`;

/** A shell template with known values inlined and quoted for their context, secrets as `***`. */
function shellText(r: Resolver, t: ShellTemplate): string {
  let out = '';
  for (const p of t.parts) {
    if ('text' in p) out += p.text;
    else if (p.context === 'comment') out += commentPlaceholder(p.source);
    else if (readsTasks(p.expr)) out += verbatim(p.source);
    else {
      const v = r.template({ source: p.source, pos: t.pos, parts: [{ expr: p.expr, source: p.source, offset: p.offset }], single: p.expr });
      const s = v.value === undefined || v.value === null ? '' : typeof v.value === 'string' ? v.value : JSON.stringify(v.value);
      if (v.secret) out += '***';
      else if (p.context === 'bare') out += quoteBashWord(s);
      else if (p.context === 'dquote') out += s.replace(/[\\"$`]/g, '\\$&');
      else out += s.replace(/[\\$`]/g, '\\$&');
    }
  }
  return out.replace(/\s+$/, '');
}

function templateText(r: Resolver, t: Template): string {
  if (t.parts.some((p) => 'expr' in p && readsTasks(p.expr))) return t.source;
  const v = r.template(t);
  return v.secret ? '***' : typeof v.value === 'string' ? v.value : JSON.stringify(v.value);
}

function valueOf(r: Resolver, v: ValueTemplate): unknown {
  switch (v.kind) {
    case 'literal':
      return v.value;
    case 'template':
      if (v.template.parts.some((p) => 'expr' in p && readsTasks(p.expr))) return v.template.source;
      return r.template(v.template).value;
    case 'array':
      return v.items.map((i) => valueOf(r, i));
    case 'object':
      return Object.fromEntries(v.entries.map(([k, e]) => [k, valueOf(r, e)]));
  }
}

export async function runDryRun(io: Io, playbook: Playbook, opts: { var?: string[]; varsFile?: string; nonInteractive?: boolean }, kinds: ReadonlyMap<string, TaskKind>): Promise<ExitCode> {
  const vars = await resolveRunVars(io, playbook, opts);
  const masker = new Masker();
  masker.addFromEnv(io.env);
  for (const n of vars.secret) masker.add(vars.values[n]);
  const ctx: EvalContext = { vars: vars.nested, env: io.env, tasks: {}, playbook: { dir: playbook.dir, name: playbook.name, file: playbook.file }, run: { id: '<dry-run>' } };
  const r = new Resolver(ctx, { vars: vars.secret, outputs: new Set() }, masker);
  const s = styleFor(io.stdout, io.env);
  const graph = new Graph(playbook.tasks.values());
  const out: string[] = [
    `Dry run of ${playbook.name}: ${playbook.tasks.size} tasks in dependency order. Nothing is run; secrets are shown as ***.`,
    s.dim('Values from earlier tasks are shown as written (${{ tasks... }}): they are known only when those tasks have run.'),
    '',
  ];
  const block = (label: string, text: string) => text.split('\n').forEach((l, j) => out.push(((j ? '           ' : `   ${label.padEnd(8)}`) + l).trimEnd()));
  const check = (c: Check) => (c.kind === 'that' ? templateText(r, c.expr) : shellText(r, c.script));
  for (const [i, id] of topoOrder(graph).entries()) {
    const t = playbook.tasks.get(id)!;
    out.push(s.bold(`${i + 1}. ${id}`) + (t.needs.length ? s.dim(`  (after ${t.needs.join(', ')})`) : '') + (t.description ? s.dim(`  ${t.description}`) : ''));
    try {
      if (t.when) {
        const known = !t.when.parts.some((p) => 'expr' in p && readsTasks(p.expr));
        const verdict = known ? (truthy(r.template(t.when).value) ? ' (true)' : s.yellow(' (false: the task would be skipped)')) : s.dim(' (decided at run time)');
        block('when:', t.when.source + verdict);
      }
      if (t.unless) block('unless:', check(t.unless) + s.dim('   (true: already done, skipped)'));
      for (const p of t.preconditions) block('check:', check(p) + (p.msg ? s.dim(`   (else: ${p.msg})`) : ''));
      for (const [k, v] of Object.entries(t.env)) block('env:', `${k}=${templateText(r, v)}`);
      if (t.cwd) block('cwd:', templateText(r, t.cwd));
      if (t.action.kind === 'shell') block('run:', shellText(r, t.action.script));
      else block('uses:', `${t.action.uses} ${JSON.stringify(valueOf(r, t.action.with))}`);
      const limits = [t.timeoutMs !== undefined && `timeout ${formatMs(t.timeoutMs)}`, t.retries > 0 && `retries ${t.retries} (delay ${formatMs(t.retryDelayMs)}, doubling)`].filter(Boolean);
      if (limits.length) block('limits:', limits.join(', '));
      if (t.undo) block('undo:', shellText(r, t.undo));
      else if (t.undo === false) block('undo:', '(none)');
      else if (t.action.kind === 'uses' && kinds.get(t.action.uses)?.undo) block('undo:', `(${t.action.uses}'s own undo)`);
    } catch (e) {
      out.push(s.yellow(`   (decided at run time: ${(e as Error).message})`));
    }
  }
  io.stdout.write(masker.mask(out.join('\n')) + '\n');
  return EXIT.OK;
}
