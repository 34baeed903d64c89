/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.8,
 * `apt-get install -y docker-registry`) serving from a temp dir on 127.0.0.1:<free port>.
 *
 * Optional htpasswd auth: the bcrypt line is made with `htpasswd -Bbn` (apache2-utils) when
 * installed, else with perl's or python3's `crypt()` (glibc/libxcrypt bcrypt), which Debian
 * has without extra packages. A missing binary is an error, never a silent skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, registryConfigYaml } from '../fakes/bin/lib/registry.mjs';

export { freePort };

/** Where the registry binary is looked for (override with BOOTSTRAP_TEST_REGISTRY_BIN). */
export const REGISTRY_BIN = process.env.BOOTSTRAP_TEST_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export interface RegistryOptions {
  htpasswd?: { user: string; password: string };
}

export interface TestRegistry {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** `127.0.0.1:<port>` */
  host: string;
  stop(): Promise<void>;
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function bcryptSalt(): string {
  const bytes = randomBytes(22);
  let s = '';
  for (let i = 0; i < 21; i++) s += BCRYPT_ALPHABET[bytes[i]! % 64];
  // The 22nd character carries only 2 significant bits: pick one whose low bits are zero.
  return `$2b$05$${s}${'.Oeu'[bytes[21]! % 4]}`;
}

/** An htpasswd line `user:$2...` with a bcrypt hash of `password`. */
export function htpasswdLine(user: string, password: string): string {
  const tried: string[] = [];
  const htp = spawnSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' });
  if (!htp.error && htp.status === 0 && htp.stdout.trim()) return htp.stdout.trim();
  tried.push('htpasswd (apache2-utils)');
  const salt = bcryptSalt();
  const perl = spawnSync('perl', ['-e', 'print crypt($ARGV[0], $ARGV[1])', password, salt], { encoding: 'utf8' });
  if (!perl.error && perl.status === 0 && perl.stdout.startsWith('$2')) return `${user}:${perl.stdout.trim()}`;
  tried.push('perl crypt()');
  const py = spawnSync('python3', ['-W', 'ignore', '-c', 'import crypt,sys; print(crypt.crypt(sys.argv[1], sys.argv[2]))', password, salt], {
    encoding: 'utf8',
  });
  if (!py.error && py.status === 0 && py.stdout.startsWith('$2')) return `${user}:${py.stdout.trim()}`;
  tried.push('python3 crypt');
  throw new Error(`cannot make a bcrypt htpasswd line (tried ${tried.join(', ')}): apt-get install -y apache2-utils`);
}

/** Starts a registry and waits until GET /v2/ answers. Retries on a port race. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(`${REGISTRY_BIN} not found: these tests need a real registry (apt-get install -y docker-registry)`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bootstrap-registry-'));
  if (opts.htpasswd) await writeFile(path.join(dir, 'htpasswd'), `${htpasswdLine(opts.htpasswd.user, opts.htpasswd.password)}\n`);
  let lastError = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'config.yml');
    await writeFile(config, registryConfigYaml({ port, dataDir: path.join(dir, 'data'), htpasswd: opts.htpasswd ? path.join(dir, 'htpasswd') : undefined }));
    const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const up = await waitUntilUp(child, url);
    if (up) {
      return {
        url,
        port,
        host: `127.0.0.1:${port}`,
        stop: async () => {
          await stopChild(child);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    lastError = output.trim().split('\n').slice(-5).join('\n');
    if (!/address already in use/i.test(output)) break;
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`docker-registry did not start:\n${lastError}`);
}

async function waitUntilUp(child: ChildProcess, url: string): Promise<boolean> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 20_000;
  while (!exited && Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50)); // polling for readiness, not ordering
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
