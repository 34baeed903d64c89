/**
 * Preload (`node --import bench/count-syncs.mjs ...`): counts the journal's fdatasync calls and
 * prints `{"fdatasync":N}` on stderr at exit, to check that group commit batches records.
 */
import fs from 'node:fs';

let calls = 0;
const fdatasync = fs.fdatasync;
fs.fdatasync = (...args) => {
  calls++;
  return fdatasync(...args);
};
process.on('exit', () => process.stderr.write(`\n{"fdatasync":${calls}}\n`));
