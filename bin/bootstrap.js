#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (the `prepare` script).
import module from 'node:module';
module.enableCompileCache?.();
try {
  await import('../dist/runner/cli.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/runner/cli.js')) {
    process.stderr.write('bootstrap: the CLI is not built yet. Run `npm ci` (or `npm run build`) in the bootstrap checkout first.\n');
    process.exit(2);
  }
  throw err;
}
