/**
 * A `run:` line that is one simple command is exec'd directly only when that is what bash would
 * do: an executable text file without `#!` is a bash script to bash, but execvp (the Perl helper,
 * node's own spawn) would hand it to /bin/sh. So such files go through bash, in every spawn mode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { execsAsBash } from '../../runner/shell/simple.js';
import { resetSpawnHelper } from '../../runner/spawn-server.js';
import { createTaskContext } from '../../tasks/context.js';
import { runShell } from '../../tasks/shell.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bs-exec-as-bash-'));
const write = (name: string, text: string) => {
  fs.writeFileSync(path.join(dir, name), text, { mode: 0o755 });
  return `./${name}`;
};

describe('execsAsBash', () => {
  it('binaries and #! scripts yes, text without #! no, a missing command yes (bash reports it)', () => {
    expect(execsAsBash('true', dir, process.env.PATH)).toBe(true);
    expect(execsAsBash(write('shebang', '#!/bin/sh\necho hi\n'), dir, process.env.PATH)).toBe(true);
    expect(execsAsBash(write('plain', 'echo hi\n'), dir, process.env.PATH)).toBe(false);
    expect(execsAsBash('./no-such-file', dir, process.env.PATH)).toBe(true);
    expect(execsAsBash('no-such-command-bs', dir, process.env.PATH)).toBe(true);
  });

  it('looks again when the file changes, and finds names on PATH (empty entry = cwd)', () => {
    const f = write('changes', 'echo hi\n');
    expect(execsAsBash(f, dir, process.env.PATH)).toBe(false);
    write('changes', '#!/bin/bash\necho hi\n');
    expect(execsAsBash(f, dir, process.env.PATH)).toBe(true);
    write('onpath', 'echo hi\n');
    expect(execsAsBash('onpath', dir, `${process.env.PATH}:`)).toBe(false);
    expect(execsAsBash('onpath', dir, process.env.PATH)).toBe(true); // not found there
  });
});

describe.each(['python', 'perl', 'direct'].filter((m) => m !== 'python' || process.platform === 'linux'))('a script without #! (spawning: %s)', (mode) => {
  afterAll(() => {
    delete process.env.BOOTSTRAP_SPAWN;
    resetSpawnHelper();
  });

  it('runs as bash runs it: as a bash script', async () => {
    process.env.BOOTSTRAP_SPAWN = mode;
    resetSpawnHelper();
    const script = write(`bashism-${mode}`, '[[ 1 == 1 ]] && echo bashism-ok\n');
    const lines: string[] = [];
    const ctx = createTaskContext({ taskId: 't', env: { ...process.env }, onOutput: (_, l) => lines.push(l) });
    await runShell({ script, env: {}, cwd: dir }, ctx);
    expect(lines).toEqual(['bashism-ok']);
  });
});
