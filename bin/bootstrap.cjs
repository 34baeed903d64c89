#!/usr/bin/env node
// Launcher. The CLI is compiled and bundled into dist/bundle/cli.cjs by `npm ci` (the `prepare`
// script runs `npm run build`). This file compiles the bundle with V8's code cache, kept next to
// it in dist/bundle/cli.cjs.cache, and runs it: most of V8's compiling is then skipped at every
// start, on every Node version (Node 22's module.enableCompileCache does the same for modules,
// but Node 20 has nothing of the kind).
//
// The cache is keyed on the bundle (its build id, size and mtime) and on Node's version and
// architecture; V8 also rejects a cache made with other flags. When there is no usable cache,
// the command writes one as it exits (atomically; a read-only install just goes without).
// BOOTSTRAP_COMPILE_CACHE=off ignores it, =write rewrites it after the command.
// CommonJS, so that Node does not set up its ESM loader before the first import() (~8 ms).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');
const { pathToFileURL } = require('node:url');

const bundle = path.join(__dirname, '..', 'dist', 'bundle', 'cli.cjs');
let source;
let stat;
try {
  // esbuild writes ASCII (test/cli/compile-cache.test.ts holds it to that): read as latin1, a
  // plain copy, where decoding 1.3 MB of UTF-8 costs ~3 ms.
  const bytes = fs.readFileSync(bundle);
  source = require('node:buffer').isAscii?.(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
  stat = fs.statSync(bundle);
} catch (err) {
  if (err?.code !== 'ENOENT') throw err;
  process.stderr.write('bootstrap: the CLI is not built yet. Run `npm ci` (or `npm run build`) in the bootstrap checkout first.\n');
  process.exit(2);
}

const mode = process.env.BOOTSTRAP_COMPILE_CACHE;
const cacheFile = `${bundle}.cache`;
const key = `${source.slice(0, source.indexOf('\n'))} ${stat.size} ${stat.mtimeMs} ${process.version} ${process.arch}\n`;
let cached;
if (mode !== 'off' && mode !== 'write') {
  try {
    const data = fs.readFileSync(cacheFile);
    const nl = data.indexOf(10);
    if (nl > 0 && data.toString('utf8', 0, nl + 1) === key) cached = data.subarray(nl + 1);
  } catch {
    // no cache yet
  }
}

// A CommonJS wrapper on the bundle's first line, so line numbers in stack traces stay right.
const script = new vm.Script(
  `(function (exports, require, module, __filename, __dirname, __bsMetaUrl, __bsImport) {${source}\n})`,
  { filename: bundle, cachedData: cached },
);
if (mode !== 'off' && (!cached || script.cachedDataRejected)) {
  process.once('exit', () => {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    try {
      // Made at exit, the cache also holds the functions this command compiled.
      fs.writeFileSync(tmp, Buffer.concat([Buffer.from(key), script.createCachedData()]));
      fs.renameSync(tmp, cacheFile);
    } catch {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing to clean up
      }
    }
  });
}

const mod = { exports: {} };
script.runInThisContext()(
  mod.exports,
  createRequire(bundle),
  mod,
  bundle,
  path.dirname(bundle),
  pathToFileURL(bundle).href,
  // The heavy SDKs stay outside the bundle; an import() inside a vm.Script would need an
  // experimental option, so the bundle imports them through this one (runner/external.ts).
  (specifier) => import(specifier),
);
