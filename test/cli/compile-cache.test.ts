/**
 * bin/bootstrap.cjs runs the bundle (dist/bundle/cli.cjs) compiled with V8's code cache, kept in
 * dist/bundle/cli.cjs.cache. Each test works on a copy of the launcher and the bundle (the rest
 * of the package is linked), so the checkout's own cache is never touched.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, REPO } from '../support/cli.js';

let pkg: string;
let cache: string;
let bundle: string;

beforeEach(() => {
  pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-cc-'));
  fs.mkdirSync(path.join(pkg, 'bin'));
  fs.mkdirSync(path.join(pkg, 'dist', 'bundle'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'bin', 'bootstrap.cjs'), path.join(pkg, 'bin', 'bootstrap.cjs'));
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(pkg, 'package.json'));
  bundle = path.join(pkg, 'dist', 'bundle', 'cli.cjs');
  fs.copyFileSync(path.join(REPO, 'dist', 'bundle', 'cli.cjs'), bundle);
  for (const p of ['node_modules', 'schemas', path.join('dist', 'generated')]) fs.symlinkSync(path.join(REPO, p), path.join(pkg, p));
  cache = `${bundle}.cache`;
});

afterEach(() => fs.rmSync(pkg, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string | undefined> = {}, cwd = pkg) {
  const r = spawnSync(process.execPath, [path.join(pkg, 'bin', 'bootstrap.cjs'), ...args], { cwd, env: cliEnv(env), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version as string;
const stamp = (f: string) => {
  const s = fs.statSync(f);
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
};

describe('the code cache of the bundle', () => {
  it('is written when a command ends without one, then used as it is', () => {
    expect(fs.existsSync(cache)).toBe(false);
    const first = cli(['--version']);
    expect(first).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    const head = fs.readFileSync(cache).subarray(0, 200).toString('latin1').split('\n')[0];
    const id = fs.readFileSync(bundle, 'utf8').split('\n')[0];
    expect(id).toMatch(/^\/\/ bootstrap bundle [0-9a-f]{16}$/);
    expect(head).toBe(`${id} ${fs.statSync(bundle).size} ${fs.statSync(bundle).mtimeMs} ${process.version} ${process.arch}`);
    expect(fs.statSync(cache).size).toBeGreaterThan(head.length + 1000);

    // Accepted (by the key and by V8): not written again.
    const before = stamp(cache);
    expect(cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(stamp(cache)).toBe(before);
    expect(fs.readdirSync(path.dirname(bundle)).sort()).toEqual(['cli.cjs', 'cli.cjs.cache']);
  });

  it('is made for an ASCII bundle (the launcher reads it as latin1, without decoding UTF-8)', () => {
    const bytes = fs.readFileSync(path.join(REPO, 'dist', 'bundle', 'cli.cjs'));
    const at = bytes.findIndex((b) => b > 0x7f);
    expect(at, at < 0 ? '' : `non-ASCII at byte ${at}: ${bytes.subarray(Math.max(0, at - 60), at + 20).toString()}`).toBe(-1);
  });

  it('is ignored and replaced when V8 rejects its data', () => {
    cli(['--version']);
    const key = fs.readFileSync(cache).toString('latin1').split('\n')[0];
    fs.writeFileSync(cache, Buffer.concat([Buffer.from(`${key}\n`), Buffer.alloc(4096, 7)]));
    const r = cli(['validate', path.join(REPO, 'playbooks', 'kind-registry.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const data = fs.readFileSync(cache);
    expect(data.toString('latin1').split('\n')[0]).toBe(key);
    expect(data.subarray(key.length + 1, key.length + 4097).equals(Buffer.alloc(4096, 7))).toBe(false);
  });

  it('is not used for another build of the bundle, or another Node', () => {
    cli(['--version']);
    const old = fs.readFileSync(cache);
    // Same length, other code: V8 would only compare lengths, so the key must tell them apart.
    const src = fs.readFileSync(bundle, 'utf8');
    const changed = src.replace(/^\/\/ bootstrap bundle [0-9a-f]{16}/, '// bootstrap bundle 0000000000000000');
    expect(changed.length).toBe(src.length);
    fs.writeFileSync(bundle, changed);
    expect(cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    const now = fs.readFileSync(cache);
    expect(now.equals(old)).toBe(false);
    expect(now.toString('latin1').split('\n')[0]).toMatch(/^\/\/ bootstrap bundle 0{16} /);

    const foreign = Buffer.concat([Buffer.from(now.toString('latin1').split('\n')[0].replace(process.version, 'v0.0.0') + '\n'), now.subarray(now.indexOf(10) + 1)]);
    fs.writeFileSync(cache, foreign);
    expect(cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(fs.readFileSync(cache).toString('latin1')).toContain(` ${process.version} `);
  });

  it('BOOTSTRAP_COMPILE_CACHE=off neither reads nor writes it; =write rewrites it', () => {
    expect(cli(['--version'], { BOOTSTRAP_COMPILE_CACHE: 'off' })).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(fs.existsSync(cache)).toBe(false);
    cli(['--version']);
    const before = stamp(cache);
    cli(['--version'], { BOOTSTRAP_COMPILE_CACHE: 'write' });
    expect(stamp(cache)).not.toBe(before);
  });

  it('a cache that cannot be read or written does not stop a command', () => {
    fs.mkdirSync(cache); // neither readable as a file nor replaceable by a rename
    const r = cli(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(fs.readdirSync(path.dirname(bundle)).sort()).toEqual(['cli.cjs', 'cli.cjs.cache']);
    expect(fs.statSync(cache).isDirectory()).toBe(true);
  });

  it('a missing bundle gets the build hint, not a stack trace', () => {
    fs.rmSync(bundle);
    const r = cli(['--version']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('bootstrap: the CLI is not built yet. Run `npm ci` (or `npm run build`) in the bootstrap checkout first.\n');
  });

  it('validate and a shell run need nothing outside the bundle (no node_modules, no dist/generated)', () => {
    fs.rmSync(path.join(pkg, 'node_modules'));
    fs.rmSync(path.join(pkg, 'dist', 'generated'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-cc-play-'));
    try {
      const v = cli(['validate', path.join(REPO, 'playbooks', 'aks-kalypso.yaml')]);
      expect(v).toMatchObject({ code: 0, stderr: '' });
      expect(v.stdout).toContain('valid (');
      // The playbook schema's own checks (ajv's precompiled code, with ajv-formats' regex format).
      fs.writeFileSync(path.join(dir, 'bad.yaml'), 'name: bad\ntasks:\n  a:\n    run: "true"\n    retries: many\n');
      const bad = cli(['validate', 'bad.yaml'], {}, dir);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/bad\.yaml:5:\d+/);
      fs.writeFileSync(path.join(dir, 'ok.yaml'), 'name: ok\ntasks:\n  a:\n    run: "true"\n  b:\n    needs: a\n    run: echo b\n');
      const r = cli(['run', 'ok.yaml', '--state-dir', path.join(dir, 'state'), '--non-interactive'], {}, dir);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toContain('Succeeded in');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('task kinds load the SDKs kept outside the bundle, with no Node warning', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-cc-play-'));
    try {
      // The kubernetes kind imports @kubernetes/client-node before it reads the kubeconfig: the
      // error below can only come from the SDK's KubeConfig.
      fs.writeFileSync(path.join(dir, 'kubeconfig'), 'apiVersion: v1\nkind: Config\n');
      fs.writeFileSync(path.join(dir, 'ext.yaml'), 'name: ext\ntasks:\n  k:\n    uses: kubernetes\n    with:\n      kubeconfig: ./kubeconfig\n');
      const r = cli(['run', 'ext.yaml', '--state-dir', path.join(dir, 'state'), '--non-interactive'], {}, dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('has no current context');
      expect(r.stdout).toContain('it defines no contexts either');
      expect(r.stdout).not.toMatch(/internal error|import/i);
      expect(r.stderr).toBe('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
