/**
 * `bootstrap run` starts its spawn helper before the run command loads; whatever the run does,
 * bad input included, the helper is gone (reaped) before bootstrap exits. A preload lists the
 * process's live children when it exits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from '../support/cli.js';

const LIST_CHILDREN = `
const fs = require('fs');
process.on('exit', () => {
  const kids = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + d + '/stat', 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) kids.push(fs.readFileSync('/proc/' + d + '/cmdline', 'utf8').split('\\0')[0]);
    } catch {}
  }
  fs.writeFileSync(process.env.BS_CHILDREN_FILE, JSON.stringify(kids));
});
`;

describe.skipIf(!fs.existsSync('/proc/self/stat'))('the spawn helper of `run`', () => {
  it('is reaped before exit: after a run, a missing playbook, contradicting flags', async () => {
    const dir = tempProject({ 'p.yaml': 'name: p\ntasks:\n  a:\n    run: "true"\n', 'list-children.cjs': LIST_CHILDREN });
    const out = path.join(dir, 'children.json');
    const env = { NODE_OPTIONS: `--require ${path.join(dir, 'list-children.cjs')}`, BS_CHILDREN_FILE: out };
    for (const [args, code] of [
      [['run', 'p.yaml', '--state-dir', 'state', '--non-interactive'], 0],
      [['run', 'missing.yaml', '--state-dir', 'state2'], 2],
      [['run', 'p.yaml', '--resume', '--fresh', '--state-dir', 'state'], 2],
    ] as const) {
      fs.rmSync(out, { force: true });
      const r = await runCli([...args], { cwd: dir, env });
      expect(r.code, r.stdout + r.stderr).toBe(code);
      expect(JSON.parse(fs.readFileSync(out, 'utf8')), args.join(' ')).toEqual([]);
    }
  });
});
