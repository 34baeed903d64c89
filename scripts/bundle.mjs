#!/usr/bin/env node
/**
 * Build step (after tsc): bundles the CLI (dist/runner/cli.js and everything it imports,
 * including yaml, commander, p-graph and chalk) into dist/bundle/, which bin/bootstrap.js
 * loads: the entry `cli.js` plus one chunk per lazily imported part (each command, the
 * reporters...), so `--version` still loads almost nothing. A dozen files instead of ~250 saves
 * most of Node's module resolution and loading at every start. The heavy SDKs stay outside and are still imported only by the task
 * kinds that use them; ajv stays outside too (loaded only when a schema must be compiled at run
 * time). The per-module tsc output in dist/ is kept (tests and the precompile step import it).
 */
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const bundled = new Set(['yaml', 'commander', 'p-graph', 'chalk']);
const external = Object.keys(pkg.dependencies).filter((d) => !bundled.has(d));

rmSync('dist/bundle', { recursive: true, force: true }); // no chunks left from older builds
const result = await build({
  entryPoints: ['dist/runner/cli.js'],
  outdir: 'dist/bundle',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: external.flatMap((d) => [d, `${d}/*`]),
  // CommonJS dependencies (yaml, commander) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __bsCreateRequire } from 'node:module'; const require = __bsCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
});
const inputs = Object.keys(result.metafile.inputs).length;
const outputs = Object.values(result.metafile.outputs);
const kib = Math.round(outputs.reduce((s, o) => s + o.bytes, 0) / 1024);
console.log(`bundled ${inputs} modules -> dist/bundle/ (${outputs.length} files, ${kib} KiB)`);
