/**
 * planUndo's order relation: the nearest applied dependents only (linear in the graph), which
 * still orders every transitive pair, walks through tasks that are not being undone, and
 * survives circles made by playbooks edited between runs.
 */
import { describe, expect, it } from 'vitest';
import type { AppliedTask, JournalState } from '../../runner/state.js';
import { planUndo } from '../../runner/undo.js';

function state(needs: Record<string, string[]>, applied: string[], runs: Array<Record<string, string[]>> = [needs]): JournalState {
  return {
    runs: runs.map((n, i) => ({ id: `r${i}`, needs: new Map(Object.entries(n)) })) as unknown as JournalState['runs'],
    undos: [],
    applied: new Map(applied.map((t) => [t, { task: t, run: 'r0', needs: needs[t] ?? [], partial: false, notes: {}, undo: { kind: 'none' } } as AppliedTask])),
    errors: [],
  };
}

/** True when the undo of `task` waits, through `after` edges, for the undo of `other`. */
function waitsFor(after: Map<string, string[]>, task: string, other: string): boolean {
  const seen = new Set<string>();
  const stack = [...(after.get(task) ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === other) return true;
    if (!seen.has(id)) {
      seen.add(id);
      stack.push(...(after.get(id) ?? []));
    }
  }
  return false;
}

describe('planUndo', () => {
  it('keeps only the nearest applied dependents, and every transitive order still follows', () => {
    // a <- b <- c <- d, and a <- d directly
    const needs = { a: [], b: ['a'], c: ['b'], d: ['c', 'a'] };
    const plan = planUndo(state(needs, ['a', 'b', 'c', 'd']));
    expect(plan.after.get('a')!.sort()).toEqual(['b', 'd']);
    expect(plan.after.get('b')).toEqual(['c']);
    expect(plan.tasks.map((t) => t.task)).toEqual(['d', 'c', 'b', 'a']);
    expect(waitsFor(plan.after, 'a', 'd') && waitsFor(plan.after, 'a', 'c')).toBe(true);
  });

  it('walks through tasks that are not being undone', () => {
    // c needs b needs a; b was skipped (not applied): a's undo still waits for c's.
    const plan = planUndo(state({ a: [], b: ['a'], c: ['b'] }, ['a', 'c']));
    expect(plan.after.get('a')).toEqual(['c']);
    expect(plan.tasks.map((t) => t.task)).toEqual(['c', 'a']);
  });

  it('stays linear on a long chain and a wide layered graph (10,000 tasks)', () => {
    const needs: Record<string, string[]> = {};
    for (let i = 0; i < 10_000; i++) needs[`t${i}`] = i ? [`t${i - 1}`, ...(i > 5 ? [`t${i - 5}`] : [])] : [];
    const plan = planUndo(state(needs, Object.keys(needs)));
    const edges = [...plan.after.values()].reduce((s, a) => s + a.length, 0);
    expect(edges).toBeLessThanOrEqual(2 * 10_000);
    expect(plan.tasks[0]!.task).toBe('t9999');
    expect(plan.tasks.at(-1)!.task).toBe('t0');
  });

  it('breaks circles made by an edited playbook, keeping every task', () => {
    // Run 1: b needs a. Run 2 (edited): a needs c, c needs b. Together: a circle.
    const plan = planUndo(state({ a: ['c'], b: ['a'], c: ['b'] }, ['a', 'b', 'c'], [{ a: [], b: ['a'] }, { a: ['c'], c: ['b'] }]));
    expect(plan.tasks.map((t) => t.task).sort()).toEqual(['a', 'b', 'c']);
    for (const t of ['a', 'b', 'c']) expect(waitsFor(plan.after, t, t), `${t} waits for itself`).toBe(false);
  });
});
