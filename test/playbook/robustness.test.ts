import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadPlaybookText } from '../../runner/playbook/load.js';
import { fakeKinds } from './fake-kinds.js';

const load = (text: string) => loadPlaybookText('/tmp/fuzz.yaml', text, { kinds: fakeKinds });

/** Anything a user might put in a task field. */
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('${{ vars.x }}', '${{', '}}', "echo '${{ env.A }}'", '${{ tasks.a.outputs.o }}', 'a', '5m', '${{ vars }}'),
);
const task = fc.dictionary(
  fc.constantFrom('needs', 'run', 'uses', 'with', 'when', 'unless', 'undo', 'env', 'timeout', 'retries', 'outputs', 'preconditions', 'nedds'),
  fieldValue,
);
const playbook = fc.record({
  name: fc.oneof(fc.constant('ok'), fc.string()),
  vars: fc.dictionary(fc.constantFrom('a', 'a.b', 'x', 'B'), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ default: fieldValue, type: fc.constantFrom('string', 'integer', 'bogus') }))),
  tasks: fc.dictionary(fc.constantFrom('a', 'b', 'c', '1x'), task),
});

describe('loadPlaybook never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const r = load(text);
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('on arbitrary playbook-shaped documents: a model xor errors, every diagnostic positioned', () => {
    fc.assert(
      fc.property(playbook, (doc) => {
        const text = stringify(doc);
        const r = load(text);
        const errors = r.diagnostics.filter((d) => d.severity === 'error');
        expect(r.playbook === undefined).toBe(errors.length > 0);
        const lines = text.split('\n').length;
        for (const d of r.diagnostics) {
          expect(d.message).not.toMatch(/internal error/);
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(lines);
          expect(d.col).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('on needs whose items are mappings with keys named like Object methods (found by the property above)', () => {
    // ajv's deep equality (for uniqueItems) calls an item's own toString/valueOf: `needs` items
    // are declared strings in the schema, so it compares them by value and never calls them.
    for (const key of ['toString', 'valueOf', 'constructor', 'hasOwnProperty']) {
      const r = load(`name: ok\ntasks:\n  b:\n    run: "true"\n  a:\n    run: "true"\n    needs:\n      - {}\n      - ${key}: false\n      - ${key}: false\n`);
      const messages = r.diagnostics.map((d) => d.message);
      expect(messages.join('\n')).not.toMatch(/internal error/);
      expect(messages).toContain('`needs[0]` of task `a`: expected a task id, got a mapping');
      expect(messages).toContain('`needs[1]` of task `a`: expected a task id, got a mapping');
      expect(r.playbook).toBeUndefined();
    }
  });

  it('names a repeated need by its two positions, first one first', () => {
    const r = load('name: ok\ntasks:\n  b:\n    run: "true"\n  a:\n    run: "true"\n    needs: [b, c, b]\n  c:\n    run: "true"\n');
    expect(r.diagnostics.map((d) => d.message)).toContain('`needs` of task `a` lists the same item twice (items 1 and 3)');
  });
});
