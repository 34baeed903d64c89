import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderTree, RenderError } from '../../tasks/lib/render-tree.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'render-tree-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(rel: string, content: string | Buffer, mode?: number) {
  const p = path.join(dir, rel);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, content);
  if (mode !== undefined) await chmod(p, mode);
}

const text = (files: Awaited<ReturnType<typeof renderTree>>, p: string) => files.find((f) => f.path === p)?.content.toString('utf8');

describe('renderTree', () => {
  it('fills placeholders in content and in file and directory names, sorted, posix paths', async () => {
    await put('README.md', '# @@repo_name@@\nowner: @@owner@@ (@@owner@@)\n');
    await put('@@env@@/config-@@env@@.yaml', 'env: @@env@@\n');
    await put('a/b/c.txt', 'plain\n');
    const files = await renderTree(dir, { repo_name: 'cp-repo', owner: 'acme', env: 'dev' });
    expect(files.map((f) => f.path)).toEqual(['README.md', 'a/b/c.txt', 'dev/config-dev.yaml']);
    expect(text(files, 'README.md')).toBe('# cp-repo\nowner: acme (acme)\n');
    expect(text(files, 'dev/config-dev.yaml')).toBe('env: dev\n');
    expect(files.every((f) => f.mode === '100644')).toBe(true);
  });

  it('leaves GitHub Actions ${{ }} and Go/Helm {{ }} templates and stray @@ alone', async () => {
    const wf = [
      'on: push',
      'env:',
      '  REPO: ${{ secrets.GITOPS_REPO }}',
      '  NAME: @@repo@@',
      '  HELM: "{{ .Values.image }} {{- include \\"x\\" . }}"',
      '  MAIL: user@@example.com and @@ and @@not valid@@ and @@1abc@@',
      '',
    ].join('\n');
    await put('.github/workflows/ci.yaml', wf);
    const files = await renderTree(dir, { repo: 'r1' });
    expect(text(files, '.github/workflows/ci.yaml')).toBe(wf.replace('@@repo@@', 'r1'));
  });

  it('accepts dotted names and inserts values as UTF-8', async () => {
    await put('x.txt', 'v=@@cluster.name@@');
    const files = await renderTree(dir, { 'cluster.name': 'grüße' });
    expect(text(files, 'x.txt')).toBe('v=grüße');
  });

  it('reports every unknown placeholder with file:line and the known names', async () => {
    await put('one.yaml', 'a: @@known@@\nb: @@missing_one@@\n\nc: @@other@@\n');
    await put('dir/@@nodir@@/f.txt', 'ok');
    let err: unknown;
    try {
      await renderTree(dir, { known: 'k', zeta: 'z' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RenderError);
    const msg = (err as Error).message;
    expect(msg).toContain('one.yaml:2: unknown placeholder @@missing_one@@');
    expect(msg).toContain('one.yaml:4: unknown placeholder @@other@@');
    expect(msg).toContain('dir/@@nodir@@: unknown placeholder @@nodir@@ in the name');
    expect(msg).toContain('known placeholders: known, zeta');
    expect((err as RenderError).problems).toHaveLength(3);
  });

  it('copies binary files (NUL byte) verbatim, even with @@ sequences inside', async () => {
    const bin = Buffer.from([0x89, 0x50, 0x00, 0x40, 0x40, 0x78, 0x40, 0x40, 0xff, 0xfe]);
    await put('img/logo.png', bin);
    const files = await renderTree(dir, { x: 'REPLACED' });
    expect(files[0]!.content.equals(bin)).toBe(true);
  });

  it('keeps the bytes of non-UTF-8 text files it edits', async () => {
    const latin = Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' @@n@@\n')]);
    await put('l.txt', latin);
    const files = await renderTree(dir, { n: 'ok' });
    expect(files[0]!.content.equals(Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' ok\n')]))).toBe(true);
  });

  it('keeps the executable bit', async () => {
    await put('scripts/run.sh', '#!/bin/sh\necho @@n@@\n', 0o755);
    await put('scripts/lib.sh', 'x\n', 0o644);
    const files = await renderTree(dir, { n: 'hi' });
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ['scripts/lib.sh', '100644'],
      ['scripts/run.sh', '100755'],
    ]);
  });

  it('rejects names that render to a path separator, collisions and symlinks', async () => {
    await put('@@bad@@.txt', 'x');
    await put('@@a@@.txt', '1');
    await put('same.txt', '2');
    await symlink('same.txt', path.join(dir, 'link.txt'));
    const err = await renderTree(dir, { bad: 'x/y', a: 'same' }).catch((e: unknown) => e as RenderError);
    expect(err).toBeInstanceOf(RenderError);
    const msg = (err as Error).message;
    expect(msg).toContain('@@bad@@.txt: the name renders to "x/y.txt"');
    expect(msg).toMatch(/renders to same\.txt, as does/);
    expect(msg).toContain('link.txt: only regular files and directories are supported');
  });

  it('fails clearly for a missing directory', async () => {
    await expect(renderTree(path.join(dir, 'nope'), {})).rejects.toThrow(/does not exist or is not a directory/);
  });
});
