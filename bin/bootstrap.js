#!/usr/bin/env node
// Thin launcher: the CLI is compiled and bundled into dist/bundle/ by `npm ci` (the
// `prepare` script runs `npm run build`).
import module from 'node:module';
module.enableCompileCache?.();
try {
  await import('../dist/bundle/cli.mjs');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/bundle/cli.mjs')) {
    process.stderr.write('bootstrap: the CLI is not built yet. Run `npm ci` (or `npm run build`) in the bootstrap checkout first.\n');
    process.exit(2);
  }
  throw err;
}
