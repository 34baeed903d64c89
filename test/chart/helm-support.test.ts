/**
 * test/support/helm.ts: the zip reader and the extracted binaries.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { helmBinary, helmEnv, kubectlBinary, readZipEntry } from '../support/helm.js';

/** CRC-32 (IEEE), written independently of the reader under test. */
function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** Builds a zip archive with the given entries (method 0 = stored, 8 = deflated). */
function makeZip(entries: { name: string; data: Buffer; method: 0 | 8; badCrc?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const body = e.method === 8 ? zlib.deflateRawSync(e.data) : e.data;
    const name = Buffer.from(e.name, 'utf8');
    const crc = e.badCrc ? (crc32(e.data) ^ 1) >>> 0 : crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(e.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

describe('readZipEntry', () => {
  const text = Buffer.from('helm '.repeat(1000));
  const zip = makeZip([
    { name: 'helm/', data: Buffer.alloc(0), method: 0 },
    { name: 'helm/helm', data: text, method: 8 },
    { name: 'kubectl/kubectl', data: Buffer.from('stored bytes'), method: 0 },
    { name: 'broken', data: Buffer.from('x'.repeat(50)), method: 8, badCrc: true },
  ]);

  it('reads deflated and stored entries by name', () => {
    expect(readZipEntry(zip, 'helm/helm').equals(text)).toBe(true);
    expect(readZipEntry(zip, 'kubectl/kubectl').toString()).toBe('stored bytes');
  });

  it('fails on a missing entry, a CRC mismatch and a non-zip', () => {
    expect(() => readZipEntry(zip, 'nope')).toThrow(/not found/);
    expect(() => readZipEntry(zip, 'broken')).toThrow(/CRC/);
    expect(() => readZipEntry(Buffer.from('not a zip at all, just text'), 'x')).toThrow(/not a zip/);
  });
});

describe('helm and kubectl binaries', () => {
  it('extracts helm 3, helm 4 and kubectl once, executable, under the temp dir', async () => {
    const [h3, h4, k] = await Promise.all([helmBinary(3), helmBinary(4), kubectlBinary()]);
    const again = await Promise.all([helmBinary(3), helmBinary(4), kubectlBinary()]);
    expect(again).toEqual([h3, h4, k]);
    expect(new Set([h3, h4]).size).toBe(2);
    for (const bin of [h3, h4, k]) {
      expect(bin.startsWith(path.join(os.tmpdir(), 'bootstrap-test-bin') + path.sep)).toBe(true);
      accessSync(bin, constants.X_OK);
      expect(statSync(bin).mode & 0o777).toBe(0o755);
    }
    expect(execFileSync(h3, ['version', '--short']).toString()).toMatch(/^v3\.17\./);
    expect(execFileSync(h4, ['version', '--short']).toString()).toMatch(/^v4\./);
    expect(execFileSync(k, ['version', '--client']).toString()).toMatch(/Client Version: v1\.35\./);
  });

  it('helmEnv keeps helm config, cache and data inside the given directory', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'helm-env-'));
    try {
      const env = helmEnv(tmp);
      expect(Object.keys(env).sort()).toEqual(['HELM_CACHE_HOME', 'HELM_CONFIG_HOME', 'HELM_DATA_HOME']);
      for (const dir of Object.values(env)) {
        expect(dir.startsWith(tmp + path.sep)).toBe(true);
        expect(statSync(dir).isDirectory()).toBe(true);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
