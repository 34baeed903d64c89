/**
 * `noop`: does nothing, starts no process, and returns the `outputs` it is given. It measures
 * the engine alone (scheduling, events, journal) in benchmarks, and stands in for a real step
 * while a playbook is being drafted.
 *
 * ```yaml
 * placeholder:
 *   uses: noop
 *   with: { outputs: { url: http://localhost:5000 } }
 * ```
 */
import type { TaskKind } from './kind.js';

/** `with` of `noop`. */
export interface NoopWith {
  /** Echoed back as the task's outputs. */
  outputs?: Record<string, unknown>;
}

/** A task kind that does nothing; its outputs are its `with.outputs`. */
export const noopKind: TaskKind<NoopWith> = {
  name: 'noop',
  pure: true,
  description: 'Do nothing (no process); the task outputs are `with.outputs`',
  schema: {
    type: 'object',
    additionalProperties: false,
    description: 'Nothing to configure; `outputs` is echoed as the task outputs.',
    properties: {
      outputs: {
        type: 'object',
        description: 'Values returned as the task outputs (tasks.<id>.outputs.<name>).',
      },
    },
  },
  async run(w) {
    return w?.outputs ? { outputs: { ...w.outputs } } : {};
  },
};
