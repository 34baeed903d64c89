/**
 * Starts the REAL registry (Debian's `docker-registry`, distribution 2.8; override the binary
 * with $FAKE_REGISTRY_BIN or $BOOTSTRAP_TEST_REGISTRY_BIN) as a detached process serving
 * `dataDir` on 127.0.0.1:<free port>: the "pod" of the pallet-registry chart in a fake cluster.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { stopProcess } from './common.mjs';

const BIN = process.env.FAKE_REGISTRY_BIN ?? process.env.BOOTSTRAP_TEST_REGISTRY_BIN ?? '/usr/bin/docker-registry';

/** A port that was free a moment ago (listen on 0, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

/**
 * The configuration of a registry on 127.0.0.1:`port` storing in `dataDir`, with basic auth
 * from the `htpasswd` file when given. Shared with test/support/registry.ts.
 */
export function registryConfigYaml({ port, dataDir, htpasswd }) {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(dataDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    '  headers:',
    '    X-Content-Type-Options: [nosniff]',
    'health:',
    '  storagedriver:',
    '    enabled: false',
    ...(htpasswd ? ['auth:', '  htpasswd:', '    realm: bootstrap-test', `    path: ${JSON.stringify(htpasswd)}`] : []),
    '',
  ].join('\n');
}

/** Starts a registry on `dataDir`; resolves `{ pid, port }` once GET /v2/ answers. */
export async function startRegistry(dataDir, workDir) {
  if (!fs.existsSync(BIN)) throw new Error(`${BIN} not found: the fake helm needs a real registry (apt-get install -y docker-registry)`);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(workDir, { recursive: true });
  let last = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = path.join(workDir, 'registry-config.yml');
    fs.writeFileSync(config, registryConfigYaml({ port, dataDir }));
    const logFile = path.join(workDir, 'registry.log');
    const out = fs.openSync(logFile, 'a');
    const child = spawn(BIN, ['serve', config], { detached: true, stdio: ['ignore', out, out] });
    let exited = false;
    child.once('exit', () => (exited = true));
    child.unref();
    fs.closeSync(out);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !exited) {
      if (await answers(`http://127.0.0.1:${port}/v2/`)) return { pid: child.pid, port };
      await new Promise((r) => setTimeout(r, 30));
    }
    stopProcess(child.pid, 1000);
    last = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join('\n');
    if (!/address already in use/i.test(last)) break;
  }
  throw new Error(`docker-registry did not start: ${last}`);
}
