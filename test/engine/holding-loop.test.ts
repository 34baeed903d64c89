/**
 * A run must not end because every handle in flight was unref'd (a library's socket or timer,
 * the idle spawn helper): Node then exits with code 13 mid-run. runner/run.ts and undo.ts run
 * inside holdingLoop; here, the difference it makes, in a real node process.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const PROCESS_JS = path.resolve(import.meta.dirname, '../../dist/runner/process.js');
const script = (held: boolean) => `
import { holdingLoop } from ${JSON.stringify(PROCESS_JS)};
const work = () => new Promise((r) => setTimeout(r, 100).unref());
await (${held} ? holdingLoop(work) : work());
console.log('finished');
`;

describe('holdingLoop', () => {
  it('keeps node running until the work ends, where node alone would exit with 13', () => {
    const held = spawnSync(process.execPath, ['--input-type=module', '-e', script(true)], { encoding: 'utf8' });
    expect(held.status).toBe(0);
    expect(held.stdout).toBe('finished\n');
    const bare = spawnSync(process.execPath, ['--input-type=module', '-e', script(false)], { encoding: 'utf8' });
    expect(bare.status).toBe(13);
    expect(bare.stdout).toBe('');
  });
});
