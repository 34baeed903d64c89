/** Graph checks over `needs`: unknown ids, self-dependency, cycles; and upstream sets. */
import { cycleText, findCycles } from './cycles.js';
import type { Diagnostic } from './diagnostics.js';
import type { SourceDoc } from './source.js';
import { didYouMean } from './suggest.js';

/** A task's `needs` as written, with whether it was a single string. */
export interface NeedsInfo {
  needs: string[];
  single: boolean;
}

/** Reports unknown needs, self-dependencies and cycles. */
export function checkNeeds(src: SourceDoc, tasks: ReadonlyMap<string, NeedsInfo>, diags: Diagnostic[]): void {
  const at = (id: string, i: number) => (tasks.get(id)!.single ? ['tasks', id, 'needs'] : ['tasks', id, 'needs', i]);
  const edges = new Map<string, string[]>();
  for (const [id, { needs }] of tasks) {
    edges.set(id, needs);
    needs.forEach((n, i) => {
      if (n === id) diags.push(src.diag(at(id, i), 'value', `task \`${id}\` needs itself`));
      else if (!tasks.has(n))
        diags.push(
          src.diag(at(id, i), 'value', `task \`${id}\` needs unknown task \`${n}\`${didYouMean(n, tasks.keys())}`),
        );
    });
  }
  for (const cycle of findCycles(edges)) {
    const [first, second] = [cycle[0]!, cycle[1 % cycle.length]!];
    const i = tasks.get(first)!.needs.indexOf(second);
    diags.push(
      src.diag(at(first, i), 'value', `dependency cycle: ${cycleText(cycle)}`, {
        hint: 'remove one of these `needs` (each arrow reads "needs")',
      }),
    );
  }
}

/**
 * Every task upstream of a task (transitively through `needs`, known ids only), computed on
 * demand and memoized: only tasks that read other tasks pay for it (building every set eagerly
 * was quadratic in time and memory on large graphs).
 */
export function upstreamOf(needs: ReadonlyMap<string, readonly string[]>): (id: string) => ReadonlySet<string> {
  const memo = new Map<string, Set<string>>();
  return (id) => {
    let set = memo.get(id);
    if (!set) memo.set(id, (set = upstreamSet(needs, id)));
    return set;
  };
}

function upstreamSet(needs: ReadonlyMap<string, readonly string[]>, id: string): Set<string> {
  {
    const seen = new Set<string>();
    const stack = [...(needs.get(id) ?? [])];
    while (stack.length) {
      const n = stack.pop()!;
      if (seen.has(n) || !needs.has(n)) continue;
      seen.add(n);
      stack.push(...(needs.get(n) ?? []));
    }
    seen.delete(id);
    return seen;
  }
}
