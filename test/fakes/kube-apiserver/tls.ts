/**
 * A throw-away TLS identity for the fake API server: a self-signed certificate for 127.0.0.1
 * and localhost made with the `openssl` binary once per process, so kubeconfigs can carry it as
 * `certificate-authority-data` exactly like a real cluster's.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TlsIdentity {
  /** PEM certificate (also the CA to trust). */
  cert: string;
  /** PEM private key. */
  key: string;
}

let cached: Promise<TlsIdentity> | undefined;

/** The process-wide identity (generated on first use). */
export function tlsIdentity(): Promise<TlsIdentity> {
  cached ??= generate();
  return cached;
}

async function generate(): Promise<TlsIdentity> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fake-kube-tls-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    await run('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=fake-kube-apiserver',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
