#!/usr/bin/env node
/**
 * The floor under `bootstrap run` on a trivial graph: the same DAG run at the same concurrency
 * with bootstrap's own spawn helper (runner/spawn-server.ts, from dist/) and nothing else: no
 * playbook, no events, no reporters, no run.log, no report. With `--journal`, each task also
 * appends a durable task-start record (bootstrap's JournalWriter: written, then fdatasync'ed,
 * group commit) before its command starts and a task-end record after, as bootstrap must.
 *
 *   node bench/floor.mjs graph.json --concurrency 4 [--journal state-dir]
 *
 * graph.json is bench/graphs.mjs's `{ nodes: [{ id, needs }] }` (bench/tools.mjs writes it next
 * to the playbook); every task runs `true`. The harness times the whole process, node's start
 * included, so the figure compares with bootstrap's wall time: what bootstrap spends above it is
 * the cost of everything a playbook run does besides spawning (and journalling).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'runner');

function parseArgs(argv) {
  const o = { graph: undefined, concurrency: 4, journal: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--concurrency') o.concurrency = Number(argv[++i]);
    else if (a === '--journal') o.journal = argv[++i];
    else if (!o.graph) o.graph = a;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.graph || !(o.concurrency >= 1)) throw new Error('usage: node bench/floor.mjs graph.json --concurrency N [--journal state-dir]');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const { startSpawnHelper, spawnViaHelper, stopSpawnHelper } = await import(path.join(DIST, 'spawn-server.js'));
startSpawnHelper(); // as bootstrap does: its start-up overlaps the rest of ours
const { JournalWriter } = await import(path.join(DIST, 'journal.js'));

const { nodes } = JSON.parse(fs.readFileSync(opts.graph, 'utf8'));
const waitingOn = new Map(nodes.map((n) => [n.id, n.needs.length]));
const dependents = new Map(nodes.map((n) => [n.id, []]));
for (const n of nodes) for (const d of n.needs) dependents.get(d).push(n.id);
const ready = nodes.filter((n) => n.needs.length === 0).map((n) => n.id);

let journal;
if (opts.journal) {
  fs.mkdirSync(opts.journal, { recursive: true });
  journal = JournalWriter.open(opts.journal);
}
const run = 'floor';
const env = { ...process.env };

function runOne(id) {
  return new Promise((resolve, reject) => {
    const child = spawnViaHelper('true', [], undefined, { ...env, BOOTSTRAP_TASK: id });
    if (!child) return reject(new Error('the spawn helper is not available here (needs python3 or perl on Linux or macOS)'));
    child.stdout.on('data', () => {});
    child.stderr.on('data', () => {});
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${id}: true exited ${code}`))));
  });
}

// Records of bootstrap's shapes (runner/journal.ts), so `bootstrap status` could read them.
async function task(id) {
  const start = Date.now();
  if (journal) await journal.append({ type: 'task-start', run, task: id, attempt: 1, ts: start }, true);
  await runOne(id);
  const end = Date.now();
  if (journal) void journal.append({ type: 'task-end', run, task: id, status: 'succeeded', ts: end, durationMs: end - start, attempts: 1 });
}

let running = 0;
let done = 0;
await new Promise((resolve, reject) => {
  const pump = () => {
    while (running < opts.concurrency && ready.length) {
      const id = ready.shift();
      running++;
      task(id).then(() => {
        running--;
        done++;
        for (const d of dependents.get(id)) {
          const left = waitingOn.get(d) - 1;
          waitingOn.set(d, left);
          if (left === 0) ready.push(d);
        }
        if (done === nodes.length) resolve();
        else pump();
      }, reject);
    }
  };
  if (nodes.length === 0) resolve();
  else pump();
});
if (journal) await journal.close();
await stopSpawnHelper(); // so the helper's and the commands' CPU is counted, as for bootstrap
