// Test-only preload (node --import): SIGKILL the process right after the k-th journal record
// is durable, for ANY bootstrap command (run, undo). k comes from BS_HARDENING_CRASH_AFTER_RECORD.
//
// It emulates the JournalWriter's own hook (BOOTSTRAP_TEST_CRASH_AFTER_WRITE, which only the run
// command reads) by watching the bytes written to journal.jsonl: records are single lines, so
// the k-th record ends at the k-th newline written through fs.writeSync / fs.write. That prefix is written and
// fdatasync'ed, then the process kills itself, so the journal holds exactly k whole records.
import fs from 'node:fs';

const limit = Number(process.env.BS_HARDENING_CRASH_AFTER_RECORD);
if (Number.isInteger(limit) && limit > 0) {
  const journalFds = new Set();
  let records = 0;
  const openSync = fs.openSync;
  fs.openSync = function (p, flags, ...rest) {
    const fd = openSync.call(this, p, flags, ...rest);
    if (String(p).endsWith('/journal.jsonl') && flags === 'a') journalFds.add(fd);
    return fd;
  };
  // A closed fd's number is reused by other files (run.log, report.html): forget it.
  for (const name of ['closeSync', 'close']) {
    const orig = fs[name];
    fs[name] = function (fd) {
      journalFds.delete(fd);
      return orig.apply(this, arguments);
    };
  }
  /** Counts the records in bytes written to a journal fd; dies after the k-th. */
  const watch = (writeSyncOrig, fd, chunk) => {
    if (chunk.length === 1 && chunk[0] === 0x0a) return; // the torn-line fix of JournalWriter.open
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0x0a) continue;
      records++;
      if (records === limit) {
        writeSyncOrig.call(fs, fd, chunk.subarray(0, i + 1));
        fs.fdatasyncSync(fd);
        process.kill(process.pid, 'SIGKILL');
      }
    }
  };
  const asChunk = (buffer, offset, length) => {
    if (typeof buffer === 'string') return Buffer.from(buffer);
    if (!Buffer.isBuffer(buffer)) return undefined;
    const start = typeof offset === 'number' ? offset : 0;
    const len = typeof length === 'number' ? length : buffer.length - start;
    return buffer.subarray(start, start + len);
  };
  const writeSync = fs.writeSync;
  fs.writeSync = function (fd, buffer, offset, length) {
    if (journalFds.has(fd)) {
      const chunk = asChunk(buffer, offset, length);
      if (chunk) watch(writeSync, fd, chunk);
    }
    return writeSync.apply(this, arguments);
  };
  const write = fs.write;
  fs.write = function (fd, buffer, offset, length) {
    if (journalFds.has(fd)) {
      const chunk = asChunk(buffer, offset, length);
      if (chunk) watch(writeSync, fd, chunk);
    }
    return write.apply(this, arguments);
  };
}
