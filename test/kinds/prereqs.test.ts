import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createTaskContext } from '../../tasks/context.js';
import { TaskError } from '../../tasks/kind.js';
import { installHint, parseToolVersion } from '../../tasks/lib/known-tools.js';
import { atLeast, compareVersions, extractVersion, formatVersion, parseVersion } from '../../tasks/lib/semver.js';
import { prereqsKind, type PrereqsWith } from '../../tasks/prereqs.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** A temp dir of fake executables: name -> sh script body. */
async function fakeBin(scripts: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'prereqs-bin-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return dir;
}

function ctxWith(PATH: string) {
  const logs: string[] = [];
  const ctx = createTaskContext({ taskId: 'tools', env: { ...process.env, PATH }, onLog: (l, m) => logs.push(`${l}: ${m}`) });
  return { ctx, logs };
}

async function failure(w: PrereqsWith, PATH: string): Promise<TaskError> {
  const err = await prereqsKind.run(w, ctxWith(PATH).ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TaskError);
  return err as TaskError;
}

// Each fake answers only the argv the real tool is asked with, so a wrong command fails.
const FAKES: Record<string, string> = {
  docker: `case "$*" in
  --version) echo "Docker version 28.2.2, build e6534b4";;
  info) echo "Server Version: 28.2.2";;
  *) echo "unexpected: $*" >&2; exit 2;;
esac`,
  kind: `[ "$*" = version ] || exit 2; echo "kind v0.23.0 go1.22.2 linux/amd64"`,
  helm: `[ "$*" = "version --short" ] || exit 2; echo "v3.17.0+g301108e"`,
  kubectl: `[ "$*" = "version --client -o json" ] || exit 2
echo '{'
echo '  "clientVersion": { "major": "1", "minor": "35", "gitVersion": "v1.35.0", "platform": "linux/amd64" },'
echo '  "kustomizeVersion": "v5.7.1"'
echo '}'`,
  az: `[ "$*" = "version -o json" ] || exit 2
echo '{ "azure-cli": "2.67.0", "azure-cli-core": "2.67.0", "azure-cli-telemetry": "1.1.0", "extensions": {} }'`,
  gh: `[ "$*" = --version ] || exit 2; echo "gh version 2.63.0 (2024-11-27)"; echo "https://github.com/cli/cli/releases/tag/v2.63.0"`,
  jq: `[ "$*" = --version ] || exit 2; echo "jq-1.6"`,
  oras: `[ "$*" = version ] || exit 2; printf 'Version:        1.2.0\\nGo version:     go1.22.3\\nGit commit:     dcef719e\\n'`,
};

describe('prereqs', () => {
  it('reads every known tool version with the table command and succeeds', async () => {
    const bin = await fakeBin(FAKES);
    const { ctx } = ctxWith(bin);
    const r = await prereqsKind.run(
      {
        tools: [
          { name: 'docker' },
          { name: 'kind', min: 'v0.20' },
          { name: 'helm', min: '3.0.0' },
          { name: 'kubectl', min: '1.25.0' },
          { name: 'az', min: '2.50.0' },
          { name: 'gh', min: 2 },
          { name: 'jq' },
          { name: 'oras', min: '1.2.0-rc.1' },
        ],
        checks: [{ name: 'docker daemon', command: ['docker', 'info'], hint: 'start Docker' }],
      },
      ctx,
    );
    expect(r.outputs).toEqual({
      versions: { docker: '28.2.2', kind: '0.23.0', helm: '3.17.0', kubectl: '1.35.0', az: '2.67.0', gh: '2.63.0', jq: '1.6.0', oras: '1.2.0' },
    });
  });

  it('lists a missing tool, an outdated tool and a failed check in one error, each with its hint', async () => {
    const bin = await fakeBin({
      helm: `[ "$*" = "version --short" ] || exit 2; echo "Client: v2.17.0+ga690bad"`,
      docker: `echo "Client: Docker Engine"; echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1`,
    });
    const err = await failure(
      {
        tools: [{ name: 'kind' }, { name: 'helm', min: '3.0.0' }],
        checks: [{ name: 'docker daemon', command: ['docker', 'info'], hint: 'start Docker Desktop or the docker service' }],
      },
      bin, // only the fakes: kind is missing
    );
    const lines = err.message.split('\n');
    expect(lines[0]).toContain('3 problems');
    expect(lines[1]).toContain('kind is not installed');
    expect(lines[1]).toContain(installHint('kind'));
    expect(lines[2]).toContain('helm 2.17.0 is too old: required >= 3.0.0');
    expect(lines[2]).toContain(installHint('helm'));
    expect(lines[3]).toContain('check "docker daemon" failed');
    expect(lines[3]).toContain('exit code 1');
    expect(lines[3]).toContain('Cannot connect to the Docker daemon');
    expect(lines[3]).toContain('start Docker Desktop or the docker service');
    expect(err.hint).toBeTruthy();
  });

  it('parses the real git and bash of this machine', async () => {
    const { ctx } = ctxWith(process.env.PATH ?? '');
    const r = await prereqsKind.run({ tools: [{ name: 'git', min: '2.0.0' }, { name: 'bash', min: '4.0' }] }, ctx);
    const own = (cmd: string) => /(\d+\.\d+\.\d+)/.exec(spawnSync(cmd, ['--version'], { encoding: 'utf8' }).stdout)![1];
    expect(r.outputs).toEqual({ versions: { git: own('git'), bash: own('bash') } });
  });

  it('uses a custom command, versionPattern and hint', async () => {
    const bin = await fakeBin({ mytool: `[ "$1" = about ] || exit 2; echo "MyTool build 7 (2024.01) release 4.5.6"` });
    const { ctx } = ctxWith(bin);
    const ok = await prereqsKind.run({ tools: [{ name: 'mytool', command: ['mytool', 'about'], versionPattern: 'release (\\S+)', min: '4.5' }] }, ctx);
    expect(ok.outputs).toEqual({ versions: { mytool: '4.5.6' } });
    const err = await failure({ tools: [{ name: 'mytool', command: ['mytool', 'about'], versionPattern: 'release (\\S+)', min: '5', hint: 'ask the platform team' }] }, bin);
    expect(err.message).toContain('mytool 4.5.6 is too old: required >= 5; upgrade: ask the platform team');
  });

  it('times out a hanging version command', async () => {
    const bin = await fakeBin({ slow: 'exec /bin/sleep 30' });
    const err = await failure({ tools: [{ name: 'slow' }], timeout: '300ms' }, bin);
    expect(err.message).toContain('slow is installed but `slow --version` failed (timed out');
  });

  it('runs the version commands in parallel', async () => {
    // Each fake waits until the other has started: run one after the other, the first would fail.
    // (Shell builtins only: PATH holds just the fakes.)
    const script = (me: string, other: string) =>
      `: > "\${0%/*}/${me}.started"; i=0; while [ ! -e "\${0%/*}/${other}.started" ]; do i=$((i+1)); [ $i -gt 500 ] && exit 3; /bin/sleep 0.01; done; echo "${me} 1.0.0"`;
    const bin = await fakeBin({ a: script('a', 'b'), b: script('b', 'a') });
    const { ctx } = ctxWith(bin);
    const r = await prereqsKind.run({ tools: [{ name: 'a' }, { name: 'b' }] }, ctx);
    expect(r.outputs).toEqual({ versions: { a: '1.0.0', b: '1.0.0' } });
  });

  it('without a minimum, an unreadable version is "unknown" with a warning', async () => {
    const bin = await fakeBin({ odd: 'echo "odd tool, no version here"' });
    const { ctx, logs } = ctxWith(bin);
    const r = await prereqsKind.run({ tools: [{ name: 'odd' }] }, ctx);
    expect(r.outputs).toEqual({ versions: { odd: 'unknown' } });
    expect(logs.some((l) => l.startsWith('warn: odd'))).toBe(true);
    const err = await failure({ tools: [{ name: 'odd', min: '1.0.0' }] }, bin);
    expect(err.message).toContain('odd: cannot read its version');
  });

  it('validate flags duplicate tools, bad minimums and bad patterns', () => {
    const problems = prereqsKind.validate!({
      tools: [{ name: 'helm', min: 'three' }, { name: 'helm' }, { name: 'x', versionPattern: '(' }, { name: 'y', min: '${{ vars.min }}' }],
    });
    expect(problems.map((p) => p.path.join('.'))).toEqual(['tools.0.min', 'tools.1.name', 'tools.2.versionPattern']);
  });
});

describe('known tools', () => {
  it.each([
    ['helm', 'v3.17.0+g301108e', '3.17.0'],
    ['kind', 'kind v0.23.0 go1.22.2 linux/amd64', '0.23.0'],
    ['docker', 'Docker version 28.2.2, build e6534b4', '28.2.2'],
    ['gh', 'gh version 2.63.0 (2024-11-27)\nhttps://github.com/cli/cli/releases/tag/v2.63.0', '2.63.0'],
    ['git', 'git version 2.39.5', '2.39.5'],
    ['jq', 'jq-1.7.1', '1.7.1'],
    ['bash', 'GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)', '5.2.15'],
    ['kubectl', 'Client Version: v1.29.3\nKustomize Version: v5.0.4', '1.29.3'],
    ['az', '{"azure-cli": "2.50.0-beta"}', '2.50.0-beta'],
    ['curl', 'curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.15', '7.88.1'],
  ])('%s: %s', (name, output, want) => {
    expect(parseToolVersion(name, output)).toBe(want);
  });

  it('has an install hint per OS for each known tool', () => {
    expect(installHint('kind', 'darwin')).toBe('brew install kind');
    expect(installHint('kind', 'linux')).toContain('https://kind.sigs.k8s.io/docs/user/quick-start/#installation');
    expect(installHint('helm', 'win32')).toContain('winget');
    expect(installHint('nosuchtool', 'linux')).toContain('install nosuchtool');
  });
});

describe('semver', () => {
  const v = (s: string) => parseVersion(s)!;
  it('parses tolerantly', () => {
    expect(parseVersion('v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseVersion('1.6')).toEqual({ major: 1, minor: 6, patch: 0, prerelease: [] });
    expect(parseVersion('3')).toEqual({ major: 3, minor: 0, patch: 0, prerelease: [] });
    expect(parseVersion('1.2.3-rc.1+build.5')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ['rc', '1'] });
    expect(parseVersion('three')).toBeNull();
    expect(extractVersion('go1 (1) no version')).toBeNull();
  });

  it('orders by semver precedence', () => {
    const sorted = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.2', 'v1.10.0', '2'];
    for (let i = 0; i + 1 < sorted.length; i++) {
      expect(compareVersions(v(sorted[i]!), v(sorted[i + 1]!)), `${sorted[i]} < ${sorted[i + 1]}`).toBeLessThan(0);
      expect(compareVersions(v(sorted[i + 1]!), v(sorted[i]!))).toBeGreaterThan(0);
    }
    expect(compareVersions(v('v1.2'), v('1.2.0+meta'))).toBe(0);
    expect(atLeast('3.17.0', '3.0.0')).toBe(true);
    expect(atLeast('2.17.0', '3')).toBe(false);
    expect(atLeast('3.0.0-rc.1', '3.0.0')).toBe(false);
    expect(() => atLeast('1.0.0', 'x')).toThrow('not a version');
  });

  it('compares like the numeric tuple for releases, and round-trips through format', () => {
    const nat = fc.nat({ max: 1000 });
    fc.assert(
      fc.property(fc.tuple(nat, nat, nat), fc.tuple(nat, nat, nat), (a, b) => {
        const va = v(a.join('.'));
        const vb = v(b.join('.'));
        const tuple = Math.sign(a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
        expect(compareVersions(va, vb)).toBe(tuple);
        expect(compareVersions(vb, va)).toBe(-tuple);
        expect(formatVersion(va)).toBe(a.join('.'));
      }),
    );
  });
});
