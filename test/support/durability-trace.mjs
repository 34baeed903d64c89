/**
 * Preload for test/engine/durability.test.ts (`NODE_OPTIONS=--import <this>`): records, in
 * order, every journal record written, every fdatasync (call and completion) and every process
 * spawned (directly, or asked of the spawn helper of runner/spawn-server.ts), and writes the
 * trace as JSON lines to $BS_DURABILITY_TRACE at exit.
 */
import childProcess from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

const trace = [];
let syncs = 0;
const { writeSync, fdatasync, fdatasyncSync, writeFileSync } = fs;
const { spawn } = childProcess;

fs.writeSync = function (fd, data, ...rest) {
  const text = typeof data === 'string' ? data : Buffer.from(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength ?? data.length).toString('utf8');
  for (const line of text.split('\n')) {
    if (!line.startsWith('{"type":')) continue;
    try {
      const r = JSON.parse(line);
      trace.push({ ev: 'write', type: r.type, task: r.task });
    } catch {
      /* not a journal record */
    }
  }
  return writeSync.call(this, fd, data, ...rest);
};
fs.fdatasync = function (fd, cb) {
  const id = ++syncs;
  trace.push({ ev: 'sync-call', id });
  return fdatasync.call(this, fd, (e) => {
    trace.push({ ev: 'sync-done', id });
    cb(e);
  });
};
fs.fdatasyncSync = function (fd) {
  const id = ++syncs;
  trace.push({ ev: 'sync-call', id });
  fdatasyncSync.call(this, fd);
  trace.push({ ev: 'sync-done', id });
};
childProcess.spawn = function (file, args, ...rest) {
  trace.push({ ev: 'spawn', file, script: Array.isArray(args) ? args[args.length - 1] : undefined });
  return spawn.call(this, file, args, ...rest);
};
// A request to the spawn helper: `S <id> <len>\n` + file, cwd, argc, argv..., NUL-separated,
// maybe after a `B <len>\n` frame (the base environment) in the same write.
const socketWrite = net.Socket.prototype.write;
net.Socket.prototype.write = function (chunk, ...rest) {
  let bytes = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.alloc(0);
  const b = /^B (\d+)\n/.exec(bytes.subarray(0, 32).toString('latin1'));
  if (b) bytes = bytes.subarray(b[0].length + Number(b[1]));
  const text = bytes.toString('utf8');
  const m = /^S \d+ \d+\n/.exec(text);
  if (m) {
    const f = text.slice(m[0].length).split('\0');
    const argv = f.slice(3, 3 + Number(f[2]));
    trace.push({ ev: 'spawn', file: f[0], script: argv[argv.length - 1], via: 'helper' });
  }
  return socketWrite.call(this, chunk, ...rest);
};
syncBuiltinESMExports();

process.on('exit', () => {
  fs.writeSync = writeSync;
  writeFileSync(process.env.BS_DURABILITY_TRACE, trace.map((t) => JSON.stringify(t)).join('\n') + '\n');
});
