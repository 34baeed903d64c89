/**
 * The CLI's entry point: esbuild bundles this file and everything it imports into
 * dist/bundle/cli.cjs, which bin/bootstrap.cjs compiles (with V8's code cache) and runs.
 */
import { main } from './cli.js';

void main();
