/** Playbooks for process-level tests. Tasks record side effects in files so tests can count them. */
export const MIXED = `
name: mixed
vars:
  marks: { default: marks }
tasks:
  a:
    run: |
      mkdir -p "\${{ vars.marks }}"
      echo run >> "\${{ vars.marks }}/a"
      echo "id=A-$RANDOM" >> "$BOOTSTRAP_OUTPUT"
    outputs: [id]
    undo: echo undo >> "\${{ vars.marks }}/a"
  b:
    needs: [a]
    run: |
      echo run >> "\${{ vars.marks }}/b"
      echo "got \${{ tasks.a.outputs.id }}" > "\${{ vars.marks }}/b.out"
    undo: echo undo >> "\${{ vars.marks }}/b"
  c:
    needs: [a]
    run: echo run >> "\${{ vars.marks }}/c"
    undo: echo undo >> "\${{ vars.marks }}/c"
    retries: 1
    retry-delay: 10ms
  d:
    needs: [b, c]
    run: echo run >> "\${{ vars.marks }}/d"
    undo: echo undo >> "\${{ vars.marks }}/d"
`;

export const SLEEPER = `
name: sleeper
tasks:
  quick:
    run: echo quick
    undo: echo undo-quick >> undo.log
  long:
    needs: [quick]
    run: |
      echo "pid $$ ready"
      sleep 30 &
      wait
    undo: echo undo-long >> undo.log
  after:
    needs: [long]
    run: echo after
`;
