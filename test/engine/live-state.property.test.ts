/**
 * report.html is rendered from the state folded as the journal writes each line (LiveState),
 * not from a second reading of the journal: the two must be the same state, after runs that
 * fail, resume and undo (with undo failures and --force).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LiveState } from '../../runner/commands/common.js';
import { readJournal, type JournalRecord } from '../../runner/journal.js';
import { dagArb } from '../support/dag.js';
import { engineRun, engineUndo, loadFromText, probePlaybook, ProbeControl, stateOf, tempDir } from '../support/engine.js';

describe('LiveState', () => {
  it('equals the journal read back, after every command', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb({ maxNodes: 10 }), fc.nat(), fc.nat(), fc.boolean(), async (dag, failRun, failUndo, force) => {
        const probe = new ProbeControl();
        const kinds = new Map([['probe', probe.kind()]]);
        const dir = tempDir();
        const pb = await loadFromText(dir, probePlaybook(dag.ids, dag.needs), kinds);
        const check = (live: LiveState) => expect(live.state()).toEqual(stateOf(dir));

        probe.failRun.add(dag.ids[failRun % dag.ids.length]!);
        // As the CLI does: each command folds what it read, then what it writes.
        let live = new LiveState(dir, readJournal(dir).records);
        await engineRun(pb, dir, kinds, { onWritten: live.onWritten });
        check(live);

        probe.failRun.clear();
        live = new LiveState(dir, readJournal(dir).records);
        await engineRun(pb, dir, kinds, { resume: true, onWritten: live.onWritten });
        check(live);

        probe.failUndo.add(dag.ids[failUndo % dag.ids.length]!);
        live = new LiveState(dir, readJournal(dir).records);
        await engineUndo(dir, kinds, { force, onWritten: live.onWritten });
        check(live);
      }),
      { numRuns: 30 },
    );
  });

  it('reads the journal after all when a record cannot be folded', () => {
    const dir = tempDir();
    const live = new LiveState(dir, []);
    const start = { type: 'run-start', v: 1, run: 'r1', ts: 1, playbook: { name: 'p', file: 'f', hash: 'h' }, tasks: [], vars: {}, argv: [], host: 'h', pid: 1 } as const;
    live.onWritten(start as unknown as JournalRecord);
    expect(live.state().runs.map((r) => r.id)).toEqual(['r1']);
    live.onWritten({ ...start, run: 'r2', tasks: null } as unknown as JournalRecord);
    // No journal on disk: the state read back is empty, not the partial fold.
    expect(live.state().runs).toEqual([]);
  });
});
