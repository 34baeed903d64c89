#!/usr/bin/env node
/**
 * Build step (after tsc): bundles the CLI (dist/runner/main.js and everything it imports,
 * including yaml, commander, p-graph and chalk) into one CommonJS file, dist/bundle/cli.cjs,
 * which bin/bootstrap.cjs compiles with V8's code cache and runs (see bin/bootstrap.cjs). One file
 * instead of ~250 modules saves Node's module resolution and loading at every start; the code
 * cache saves most of the compiling. Each command's code is still evaluated only when that
 * command runs (esbuild keeps `import('./commands/x.js')` lazy inside the bundle).
 *
 * The heavy SDKs stay outside and are still imported only by the task kinds that use them
 * (runner/external.ts); ajv stays outside too (loaded only when a schema must be compiled at run
 * time). The per-module tsc output in dist/ is kept (tests and the precompile step import it).
 *
 * Then it warms the code cache: one small `run` (in a temporary directory) compiles the code a
 * run needs, and bin/bootstrap.cjs writes the cache when that command ends, so the first command
 * after `npm ci` starts as fast as the later ones.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bundled = new Set(['yaml', 'commander', 'p-graph', 'chalk']);
// ajv and ajv-formats are not marked external: the precompiled validators (dist/generated/,
// bundled) need a few small files of their runtime, which are bundled with them. ajv itself is
// loaded by runner/playbook/ajv.ts through createRequire, which esbuild leaves alone.
const external = Object.keys(pkg.dependencies)
  .filter((d) => !bundled.has(d) && d !== 'ajv' && d !== 'ajv-formats')
  .flatMap((d) => [d, `${d}/*`]);
const outDir = join(root, 'dist', 'bundle');
const outFile = join(outDir, 'cli.cjs');

const result = await build({
  entryPoints: [join(root, 'dist/runner/main.js')],
  outfile: outFile,
  write: false,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external,
  // bin/bootstrap.cjs passes the bundle's own file URL in (runner/paths.ts, runner/playbook/ajv.ts).
  define: { 'import.meta.url': '__bsMetaUrl', __BOOTSTRAP_BUNDLE__: 'true' },
  logLevel: 'warning',
  metafile: true,
});
// `import fs from 'node:fs'` becomes `__toESM(require("node:fs"), 1)` in every module that has
// it: a new object with a getter defined for each of the ~100 exports of `fs`, made once per
// importing module (51 times for 8 built-ins; ~4 ms of every start). The built-ins never change,
// so each gets its wrapper once and shares it (wrappers are read-only views).
const NODE_ESM = /__toESM\(require\("(node:[a-z0-9_/]+)"\), 1\)/g;
const text = new TextDecoder().decode(result.outputFiles[0].contents);
const strict = '"use strict";\n';
if (!text.startsWith(strict) || !NODE_ESM.test(text)) throw new Error('bundle.mjs: esbuild output is not as expected (no "use strict" first, or no __toESM of a node: built-in)');
const code = Buffer.from(
  strict +
    'var __nodeESMs = new Map();\nvar __nodeESM = (mod) => { let w = __nodeESMs.get(mod); if (!w) __nodeESMs.set(mod, (w = __toESM(mod, 1))); return w; };\n' +
    text.slice(strict.length).replace(NODE_ESM, '__nodeESM(require("$1"))'),
);
// The first line names the build: bin/bootstrap.cjs keys the code cache on it (V8 itself only
// checks the source's length).
const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
rmSync(outDir, { recursive: true, force: true }); // nothing left from older builds, caches included
mkdirSync(outDir, { recursive: true });
writeFileSync(outFile, Buffer.concat([Buffer.from(`// bootstrap bundle ${id}\n`), code]));
const inputs = Object.keys(result.metafile.inputs).length;
console.log(`bundled ${inputs} modules -> dist/bundle/cli.cjs (${Math.round(code.length / 1024)} KiB, build ${id})`);

// Warm the code cache with a one-task run.
const tmp = mkdtempSync(join(tmpdir(), 'bootstrap-warm-'));
try {
  writeFileSync(join(tmp, 'warm.yaml'), 'name: warm\ntasks:\n  a:\n    run: "true"\n  b:\n    needs: a\n    run: echo b\n');
  const env = { ...process.env, BOOTSTRAP_COMPILE_CACHE: 'write' };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [join(root, 'bin', 'bootstrap.cjs'), 'run', 'warm.yaml', '--state-dir', join(tmp, 'state'), '--non-interactive'], {
    cwd: tmp,
    env,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    // A bundle that cannot run a two-task playbook is broken: say so now, not at the first use.
    process.stderr.write(`the bundle failed its first run (exit ${r.status}):\n${r.stdout}${r.stderr}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
