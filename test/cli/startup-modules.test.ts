/**
 * What a plain run loads: no prompt machinery (readline), no fs/promises or fs streams (stdin is
 * made only when asked for), no node:v8, no task-kind SDK. Module lists, not timings: a guard
 * against start-up creeping back, which no timed test could hold on a shared machine.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempProject } from '../support/cli.js';

describe('start-up', () => {
  it('a shell run loads no readline, fs/promises, fs streams or SDK', async () => {
    const dir = tempProject({ 'p.yaml': 'name: p\ntasks:\n  a:\n    run: "true"\n  b:\n    needs: a\n    run: echo b\n' });
    const out = path.join(dir, 'modules.json');
    const preload = path.join(dir, 'list-modules.cjs');
    fs.writeFileSync(
      preload,
      `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({ builtin: process.moduleLoadList, files: Object.keys(require.cache) })));\n`,
    );
    for (const flags of [['--non-interactive'], []]) {
      const r = await runCli(['run', 'p.yaml', '--state-dir', 'state', '--fresh', ...flags], { cwd: dir, env: { NODE_OPTIONS: `--require ${preload}` } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const { builtin, files } = JSON.parse(fs.readFileSync(out, 'utf8')) as { builtin: string[]; files: string[] };
      const loaded = builtin.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));
      expect(loaded).toContain('child_process'); // the list is real
      // v8: only a garbage collection of a large run needs it (runner/memory.ts).
      for (const m of ['readline', 'internal/readline/interface', 'fs/promises', 'internal/fs/promises', 'internal/fs/streams', 'v8']) expect(loaded).not.toContain(m);
      expect(files.filter((f) => f.includes('node_modules'))).toEqual([]);
    }
  });

  it('the bundle wraps each node: built-in for ESM imports once, not once per importing module', () => {
    const bundle = fs.readFileSync(path.join(REPO, 'dist', 'bundle', 'cli.cjs'), 'utf8');
    // scripts/bundle.mjs rewrites esbuild's per-module copies (a getter per export, each time).
    expect(bundle).not.toMatch(/__toESM\(require\("node:/);
    expect(bundle.match(/__nodeESM\(require\("node:fs"\)\)/g)?.length).toBeGreaterThan(5);
  });
});
