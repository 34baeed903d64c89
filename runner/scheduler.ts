/**
 * Runs a task graph with p-graph behind a fail-fast policy.
 *
 * p-graph alone keeps starting unblocked independent tasks after a failure (and leaks the
 * failed task's concurrency slot). Here task functions never reject into p-graph: a failure
 * trips a latch, and every node p-graph hands us after that returns at once without starting.
 * Running tasks finish; then the schedule ends. An abort signal (Ctrl-C) trips the same latch.
 * Priorities are the weight of the longest remaining path, so the critical path starts first.
 */
import { PGraph } from 'p-graph';
import type { Graph } from './graph.js';

export type TaskOutcome = 'succeeded' | 'skipped' | 'failed';

/** Why new starts stopped. */
export type StopReason = 'failure' | 'interrupt';

/** A latch: once tripped it stays tripped, remembering the first reason. */
export class StopLatch {
  private reasonValue: StopReason | undefined;
  get tripped(): boolean {
    return this.reasonValue !== undefined;
  }
  get reason(): StopReason | undefined {
    return this.reasonValue;
  }
  trip(reason: StopReason): void {
    this.reasonValue ??= reason;
  }
}

export interface ScheduleOptions {
  graph: Graph;
  /** Maximum number of tasks running at once (>= 1). */
  concurrency: number;
  /** Runs one task. A rejection counts as a failure. */
  run: (id: string) => Promise<TaskOutcome>;
  /** Estimated cost of each task (e.g. last run's duration); default 1. */
  weight?: (id: string) => number;
  /** Aborting stops new starts; running tasks are expected to watch the same signal. */
  signal?: AbortSignal;
  /** Called when the first failure trips the latch. */
  onStop?: (reason: StopReason) => void;
  /** Called once, when the schedule is set up and the first task is about to start. */
  onReady?: () => void;
}

export interface ScheduleResult {
  outcomes: Map<string, TaskOutcome>;
  /** Tasks that never started, in declaration order. */
  notStarted: string[];
  /** Set when something stopped new starts. */
  stopped?: StopReason;
}

/** A node as p-graph takes it (run, priority), with the fields it adds to its copy. */
interface PNode {
  run: () => Promise<void>;
  priority: number;
  dependsOn: undefined;
  dependedOnBy: undefined;
  failed: boolean;
}

/** Run the graph to the end under the fail-fast policy. Never rejects. */
export async function schedule(opts: ScheduleOptions): Promise<ScheduleResult> {
  const { graph } = opts;
  const outcomes = new Map<string, TaskOutcome>();
  const latch = new StopLatch();
  const stop = (reason: StopReason) => {
    if (latch.tripped) return;
    latch.trip(reason);
    opts.onStop?.(reason);
  };
  const onAbort = () => stop('interrupt');
  if (opts.signal?.aborted) stop('interrupt');
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  let ready = opts.onReady;
  const nodes = new Map<string, PNode>();
  for (const id of graph.ids) {
    nodes.set(id, {
      // The fields p-graph adds to its copy of each node, set here already (it overwrites them):
      // its copy is `{ ...node, dependsOn, dependedOnBy, failed }`, and V8 makes such a copy ~5x
      // faster when the node already has those fields (~40 ms less for 10,000 tasks).
      dependsOn: undefined,
      dependedOnBy: undefined,
      failed: false,
      priority: opts.weight ? Math.max(0, opts.weight(id)) : 1,
      run: async () => {
        if (ready) {
          const onReady = ready;
          ready = undefined;
          onReady();
        }
        if (latch.tripped) return;
        // Defensive: p-graph only hands us a node after its needs ran, but a need that never
        // started (or failed) must block it regardless of the latch.
        for (const need of graph.needs(id)) {
          const o = outcomes.get(need);
          if (o !== 'succeeded' && o !== 'skipped') return;
        }
        let outcome: TaskOutcome;
        try {
          outcome = await opts.run(id);
        } catch {
          outcome = 'failed';
        }
        outcomes.set(id, outcome);
        if (outcome === 'failed') stop('failure');
      },
    });
  }

  try {
    if (nodes.size > 0) {
      await new PGraph(nodes, graph.edges()).run({ concurrency: Math.max(1, Math.floor(opts.concurrency)) });
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  return {
    outcomes,
    notStarted: graph.ids.filter((id) => !outcomes.has(id)),
    stopped: latch.reason,
  };
}
