import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { INLINE_SYNC_MAX_MS, JournalWriter, parseJournal, readJournal, type JournalRecord } from '../../runner/journal.js';
import { Masker } from '../../runner/secrets.js';
import { tempDir } from '../support/engine.js';

const log = (message: string): JournalRecord => ({ type: 'log', level: 'error', message, ts: 1 });

describe('journal', () => {
  it('appends records in order, one per line, durable ones on disk when the promise resolves', async () => {
    const dir = tempDir();
    const w = JournalWriter.open(dir);
    const ps = Array.from({ length: 200 }, (_, i) => w.append(log(`m${i}`), i % 7 === 0));
    await Promise.all(ps);
    // Everything appended is readable by another reader before close.
    const { records } = readJournal(dir);
    expect(records.map((r) => (r as { message: string }).message)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`));
    await w.close();
  });

  /** Appends a, b (durable), c in one tick, then d (durable); the order of writes, syncs and settlements. */
  async function syncOrder(inlineSyncMaxMs: number | undefined, fsyncDelayMs = 0): Promise<string[]> {
    const dir = tempDir();
    const w = JournalWriter.open(dir, { inlineSyncMaxMs });
    const events: string[] = [];
    const { writeSync, fdatasync, fdatasyncSync } = fs;
    const ws = vi.spyOn(fs, 'writeSync').mockImplementation(((...a: Parameters<typeof writeSync>) => {
      events.push(`write ${String(a[1]).split('\n').filter(Boolean).length}`);
      return writeSync(...a);
    }) as typeof writeSync);
    const pool = vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
      events.push('sync (pool)');
      fdatasync(fd, (e) => {
        events.push('synced');
        cb(e);
      });
    }) as typeof fdatasync);
    const inline = vi.spyOn(fs, 'fdatasyncSync').mockImplementation((fd: number) => {
      events.push('sync (inline)');
      // A slow disk.
      for (const until = performance.now() + fsyncDelayMs; performance.now() < until; );
      fdatasyncSync(fd);
      events.push('synced');
    });
    try {
      const first = [w.append(log('a')), w.append(log('b'), true), w.append(log('c'))];
      void first[0].then(() => events.push('a done'));
      void first[1].then(() => events.push('b durable'));
      await Promise.all(first);
      await w.append(log('d'), true);
      events.push('d durable');
    } finally {
      ws.mockRestore();
      pool.mockRestore();
      inline.mockRestore();
    }
    expect(readJournal(dir).records.map((r) => (r as { message: string }).message)).toEqual(['a', 'b', 'c', 'd']);
    await w.close();
    return events;
  }

  it('writes the records of one tick with one write, in order; a durable one resolves after an fdatasync begun after that write', async () => {
    // In place (the default while fdatasyncs are fast: no thread pool round trip).
    expect(INLINE_SYNC_MAX_MS).toBe(2);
    expect(await syncOrder(60_000)).toEqual(['write 3', 'sync (inline)', 'synced', 'a done', 'b durable', 'write 1', 'sync (inline)', 'synced', 'd durable']);
    // Through the thread pool: the same guarantees.
    expect(await syncOrder(0)).toEqual(['write 3', 'sync (pool)', 'a done', 'synced', 'b durable', 'write 1', 'sync (pool)', 'synced', 'd durable']);
  });

  it('goes to the thread pool for good once an fdatasync in place took longer than allowed (a slow disk must not stall the event loop)', async () => {
    expect(await syncOrder(2, 5)).toEqual(['write 3', 'sync (inline)', 'synced', 'a done', 'b durable', 'write 1', 'sync (pool)', 'synced', 'd durable']);
  });

  it('close syncs only what no fdatasync has covered yet', async () => {
    const closing = async (appends: (w: JournalWriter) => Promise<void>) => {
      const w = JournalWriter.open(tempDir());
      await appends(w);
      const sync = vi.spyOn(fs, 'fdatasyncSync');
      try {
        await w.close();
        return sync.mock.calls.length;
      } finally {
        sync.mockRestore();
      }
    };
    // The last record durable (as a run's run-end is): its fdatasync covered everything.
    expect(
      await closing(async (w) => {
        await Promise.all([w.append(log('a')), w.append(log('b'), true)]);
      }),
    ).toBe(0);
    // A record written after it: close syncs it.
    expect(
      await closing(async (w) => {
        await w.append(log('a'), true);
        await w.append(log('b'));
      }),
    ).toBe(1);
    expect(await closing((w) => w.append(log('a')))).toBe(1);
  });

  it('finishes a short write: the rest of the batch follows, byte-exact (multi-byte text too)', async () => {
    const dir = tempDir();
    const w = JournalWriter.open(dir);
    const { writeSync } = fs;
    let cut = true;
    // The first write stops inside the two bytes of the "é", as a nearly full disk might.
    const ws = vi.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
      if (cut && typeof data === 'string') {
        cut = false;
        const bytes = Buffer.from(data);
        return writeSync(fd, bytes.subarray(0, bytes.indexOf(Buffer.from('é')) + 1));
      }
      return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    }) as typeof writeSync);
    try {
      await Promise.all([w.append(log('é → ✓ 😀')), w.append(log('second'), true)]);
    } finally {
      ws.mockRestore();
    }
    await w.close();
    expect(cut).toBe(false);
    expect(readJournal(dir).records.map((r) => (r as { message: string }).message)).toEqual(['é → ✓ 😀', 'second']);
  });

  it('ignores a torn last line with a warning, and a corrupted line mid-file', () => {
    const text = `${JSON.stringify(log('a'))}\n{"type":"log","lev\n${JSON.stringify(log('b'))}\n{"type":"task-st`;
    const { records, warnings } = parseJournal(text, 'j');
    expect(records.map((r) => (r as { message: string }).message)).toEqual(['a', 'b']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/j:2: ignoring a corrupted record/);
    expect(warnings[1]).toMatch(/j:4: ignoring a torn last record/);
  });

  it('a new writer after a torn line starts on a fresh line, so its records stay whole', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'journal.jsonl'), `${JSON.stringify(log('a'))}\n{"type":"task-st`);
    const w = JournalWriter.open(dir);
    await w.append(log('b'), true);
    await w.close();
    const { records, warnings } = readJournal(dir);
    expect(records.map((r) => (r as { message: string }).message)).toEqual(['a', 'b']);
    expect(warnings).toHaveLength(1);
  });

  it('passes every record through the masker', async () => {
    const dir = tempDir();
    const m = new Masker();
    m.add('hunter2-secret');
    const w = JournalWriter.open(dir, { mask: (r) => m.maskDeep(r) });
    await w.append(log('token is hunter2-secret'), true);
    await w.close();
    const raw = fs.readFileSync(path.join(dir, 'journal.jsonl'), 'utf8');
    expect(raw).not.toContain('hunter2');
    expect(raw).toContain('token is ***');
  });

  it('rejects appends when the disk refuses, with the journal path in the message', async () => {
    const dir = tempDir();
    const w = JournalWriter.open(dir);
    // Close the fd underneath the writer to simulate an I/O failure.
    fs.closeSync((w as unknown as { fd: number }).fd);
    await expect(w.append(log('x'), true)).rejects.toThrow(/cannot write the journal .*journal\.jsonl/);
  });

  it('a failed write rejects every append of its batch, durable or not, and every later one', async () => {
    const dir = tempDir();
    const w = JournalWriter.open(dir);
    fs.closeSync((w as unknown as { fd: number }).fd);
    // Appends of one tick share a batch (and its promises): each must still see the failure.
    const plain = w.append(log('a'));
    const durable = w.append(log('b'), true);
    const plain2 = w.append(log('c'));
    for (const p of [plain, durable, plain2]) await expect(p).rejects.toThrow(/cannot write the journal/);
    await expect(w.append(log('d'))).rejects.toThrow(/cannot write the journal/);
    await expect(w.append(log('e'), true)).rejects.toThrow(/cannot write the journal/);
  });

  it('a missing journal reads as empty', () => {
    expect(readJournal(tempDir())).toEqual({ records: [], warnings: [] });
  });
});
