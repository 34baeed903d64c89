/** runner/reporters/tick-buffer.ts: the writes of one event-loop turn reach the sink as one, in order. */
import { describe, expect, it } from 'vitest';
import { TickBuffer } from '../../runner/reporters/tick-buffer.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('TickBuffer', () => {
  it('joins the writes of one turn into one, in order, and writes nothing for an empty turn', async () => {
    const out: string[] = [];
    const b = new TickBuffer((s) => out.push(s));
    b.write('a\n');
    b.write('b\n');
    await Promise.resolve();
    b.write('c\n');
    expect(out).toEqual([]);
    await turn();
    expect(out).toEqual(['a\nb\nc\n']);
    await turn();
    b.write('d\n');
    await turn();
    expect(out).toEqual(['a\nb\nc\n', 'd\n']);
    b.close();
    expect(out).toHaveLength(2);
  });

  it('writes at once when the buffer reaches its limit, and close() writes the rest', () => {
    const out: string[] = [];
    const b = new TickBuffer((s) => out.push(s), 8);
    b.write('1234');
    b.write('5678');
    expect(out).toEqual(['12345678']);
    b.write('9');
    expect(out).toEqual(['12345678']);
    b.close();
    expect(out).toEqual(['12345678', '9']);
  });

  it('writes what is buffered when the process exits (the compiled module, as the CLI runs it)', async () => {
    const { spawnSync } = await import('node:child_process');
    const url = new URL('../../dist/runner/reporters/tick-buffer.js', import.meta.url).href;
    // Written in the same turn as the exit: only the exit handler can get it out.
    const code = `import { TickBuffer } from ${JSON.stringify(url)}; const b = new TickBuffer((s) => process.stdout.write(s)); b.write('last words\\n'); process.exit(3);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('last words\n');
    expect(r.status).toBe(3);
  });
});
