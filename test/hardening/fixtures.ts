/**
 * Playbooks for the hardening tests. Tasks record what they did in files under `marks/`, tagged
 * with the run or undo id from their environment, so a test can tell which journalled start a
 * side effect belongs to.
 */

/**
 * Parallel branches (b, c, d after a), an output (a -> b), a flaky task (c fails its first
 * attempt in every run and passes the retry), a task that fails until the file `fixed` exists
 * (d), and a join (e). Every undo is idempotent, like a real one (`kind delete cluster`
 * tolerates "not found"): `undone` is marked once, every attempt is marked with its undo id.
 */
export const CRASH_MIX = `
name: crashmix
tasks:
  a:
    run: |
      mkdir -p marks gone
      echo "done $BOOTSTRAP_RUN_ID" >> marks/a
      echo "id=A-$BOOTSTRAP_RUN_ID" >> "$BOOTSTRAP_OUTPUT"
    outputs: [id]
    undo: &undo |
      mkdir -p marks gone
      echo "attempt $BOOTSTRAP_UNDO_ID" >> "marks/$BOOTSTRAP_TASK.undo"
      if [ ! -e "gone/$BOOTSTRAP_TASK" ]; then touch "gone/$BOOTSTRAP_TASK"; echo undone >> "marks/$BOOTSTRAP_TASK.undo"; fi
  b:
    needs: [a]
    run: |
      echo "got \${{ tasks.a.outputs.id }}" > marks/b.out
      echo "done $BOOTSTRAP_RUN_ID" >> marks/b
    undo: *undo
  c:
    needs: [a]
    run: |
      if [ ! -e "marks/c.tried.$BOOTSTRAP_RUN_ID" ]; then
        touch "marks/c.tried.$BOOTSTRAP_RUN_ID"; echo "fail $BOOTSTRAP_RUN_ID" >> marks/c; exit 1
      fi
      echo "done $BOOTSTRAP_RUN_ID" >> marks/c
    retries: 1
    retry-delay: 10ms
    undo: *undo
  d:
    needs: [a]
    run: |
      if [ ! -e fixed ]; then echo "fail $BOOTSTRAP_RUN_ID" >> marks/d; exit 1; fi
      echo "done $BOOTSTRAP_RUN_ID" >> marks/d
    undo: *undo
  e:
    needs: [b, c, d]
    run: echo "done $BOOTSTRAP_RUN_ID" >> marks/e
    undo: *undo
`;

export const CRASH_TASKS = ['a', 'b', 'c', 'd', 'e'] as const;
/** Who needs whom in {@link CRASH_MIX}: undo must reverse these. */
export const CRASH_NEEDS: Record<string, string[]> = { a: [], b: ['a'], c: ['a'], d: ['a'], e: ['b', 'c', 'd'] };
