/**
 * The CLI's entry point: esbuild bundles this file and everything it imports into
 * dist/bundle/cli.cjs, which bin/bootstrap.cjs compiles (with V8's code cache) and runs.
 */
import { main } from './cli.js';

void main().then(() => {
  // The command has written, closed and reaped everything it started: leave now, with its exit
  // code. Left to end on its own, Node first frees every object on the heap (~5 ms after a
  // small run, tens of ms after a large one). Not while output is still queued for a pipe
  // (macOS writes pipes asynchronously): then Node ends once it is written.
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit();
});
