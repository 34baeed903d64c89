/**
 * `bootstrap graph <playbook> [--format text|mermaid|dot]`: the task graph with its critical
 * path, weighted by the durations of the last run when the journal has them, else one unit per task.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError, EXIT, type ExitCode } from '../exit-codes.js';
import { Graph, plannedCriticalPath } from '../graph.js';
import type { Playbook } from '../playbook/model.js';
import { formatMs } from '../process.js';
import { renderDot, renderMermaid, renderTree, type GraphView } from '../reporters/graph-formats.js';
import { styleFor } from '../reporters/style.js';
import type { JournalState } from '../state.js';
import { loadPlaybookOrExit, readState, stateDirFor, type Io } from './common.js';

export const GRAPH_FORMATS = ['text', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export interface GraphOptions {
  format?: string;
  stateDir?: string;
}

/** Duration of each task in the latest run that ran it (restored and skipped tasks do not count). */
export function lastDurations(state: JournalState | undefined, playbook: Playbook): Map<string, number> {
  const out = new Map<string, number>();
  for (const run of state?.runs ?? []) {
    if (run.playbook.name !== playbook.name) continue;
    for (const [id, t] of run.tasks) if (playbook.tasks.has(id) && t.status === 'succeeded' && !t.restored && t.durationMs !== undefined) out.set(id, t.durationMs);
  }
  return out;
}

/** Build the view: graph, durations and the planned critical path. */
export function graphView(playbook: Playbook, state: JournalState | undefined): GraphView & { weighted: boolean; total: number } {
  const graph = new Graph(playbook.tasks.values());
  const durations = lastDurations(state, playbook);
  const weighted = durations.size > 0;
  // Tasks the last run did not time weigh like the fastest known task (or 1 without any).
  const fallback = weighted ? Math.min(...durations.values()) : 1;
  const { path: critical, total } = plannedCriticalPath(graph, (id) => (weighted ? durations.get(id) ?? fallback : 1));
  const notes = new Map([...playbook.tasks.values()].map((t) => [t.id, t.action.kind === 'uses' ? t.action.uses : 'run'] as const));
  return { name: playbook.name, graph, critical, durations, notes, weighted, total };
}

export async function graphCommand(io: Io, file: string, opts: GraphOptions): Promise<ExitCode> {
  const format = (opts.format ?? 'text') as GraphFormat;
  if (!GRAPH_FORMATS.includes(format)) throw new CliError(`unknown format ${opts.format}`, EXIT.BAD_INPUT, `use one of: ${GRAPH_FORMATS.join(', ')}`);
  const playbook = await loadPlaybookOrExit(io, file);
  const stateDir = stateDirFor(io, opts.stateDir, playbook.name);
  const state = fs.existsSync(path.join(stateDir, 'journal.jsonl')) ? readState(stateDir).state : undefined;
  const view = graphView(playbook, state);
  if (format === 'mermaid') io.stdout.write(renderMermaid(view));
  else if (format === 'dot') io.stdout.write(renderDot(view));
  else {
    const s = styleFor(io.stdout, io.env);
    const how = view.weighted ? `${formatMs(view.total)} by the last run's durations` : `${view.total} task${view.total === 1 ? '' : 's'} long, unit weights: no run journalled yet`;
    io.stdout.write(`${s.bold(playbook.name)}: ${playbook.tasks.size} tasks\n`);
    io.stdout.write(renderTree(view, s));
    if (view.critical.length) io.stdout.write(`\nCritical path ${s.cyan('★')}: ${view.critical.join(' → ')} ${s.dim(`(${how})`)}\n`);
  }
  return EXIT.OK;
}
