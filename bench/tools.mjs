/**
 * How each tool is invoked on a generated graph. `prepare(dir, graph)` writes every tool's input
 * into `dir`; the `*Cmd` helpers return a spec for measure.mjs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { toAnsible, toBashSequential, toMakefile, toNinja, toPlaybook } from './emit.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BOOTSTRAP = path.join(ROOT, 'bin', 'bootstrap.cjs');

/** Path of an executable on PATH, or undefined. */
export function which(name) {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** First line of `cmd --version`. */
export function versionOf(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').trim().split('\n')[0];
}

/** Write the graph for every tool into `dir`. */
export function prepare(dir, graph, { kind = 'shell' } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'playbook.yaml'), toPlaybook(graph, { kind }));
  fs.writeFileSync(path.join(dir, 'Makefile'), toMakefile(graph));
  fs.writeFileSync(path.join(dir, 'build.ninja'), toNinja(graph));
  fs.writeFileSync(path.join(dir, 'play.yml'), toAnsible(graph));
  fs.writeFileSync(path.join(dir, 'sequential.sh'), toBashSequential(graph), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'graph.json'), JSON.stringify({ nodes: graph.nodes.map(({ id, needs }) => ({ id, needs })) }));
  return dir;
}

/**
 * The environment of the node processes the harness times (bootstrap, `node -e 0`): the
 * caller's, minus variables that change how node itself starts. NODE_EXTRA_CA_CERTS in
 * particular makes every node process load a CA bundle at start (this VM sets it globally to
 * the whole system bundle: +~50 ms per start), which a user's machine does not do.
 */
export const NODE_START_VARS = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS'];
export function nodeEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const v of NODE_START_VARS) delete env[v];
  return env;
}

/** A state dir for run `n` of tool `key` in `dir`, empty (removed again by the tool's `after`). */
function freshState(dir, key, n) {
  const state = path.join(dir, `.state-${key}-${n}`);
  fs.rmSync(state, { recursive: true, force: true });
  return state;
}

const quietEnv = () => nodeEnv({ NO_COLOR: '1', BOOTSTRAP_STATE_DIR: '' });

/**
 * `bootstrap run` on the playbook in `dir`, with a fresh state dir for every run (the journal is
 * on, as always). `json`: NDJSON output, parsed for the engine's own duration (run-started to
 * run-finished, i.e. without start-up and playbook loading) as the run's `extra`. `countSyncs`:
 * count the journal's fdatasync calls instead (bench/count-syncs.mjs), as `extra`.
 */
export function bootstrapCmd(dir, { concurrency, runs, label, key, json = false, countSyncs = false }) {
  let n = 0;
  const stdoutFile = path.join(dir, `bootstrap-${key}.out`);
  const spec = {
    key,
    label,
    runs,
    cmd: process.execPath,
    cwd: dir,
    env: quietEnv(),
    stdoutFile,
    args: [],
    before() {
      spec.state = freshState(dir, key, n++);
      spec.args = [...(countSyncs ? ['--import', path.join(ROOT, 'bench', 'count-syncs.mjs')] : []), BOOTSTRAP, 'run', 'playbook.yaml', '--state-dir', spec.state, '--concurrency', String(concurrency), '--non-interactive', ...(json ? ['--json'] : [])];
    },
    after(res) {
      fs.rmSync(spec.state, { recursive: true, force: true });
      if (countSyncs) return Number((/\{"fdatasync":(\d+)\}/.exec(res.stderr) ?? [])[1]);
      if (!json) return undefined;
      for (const line of fs.readFileSync(stdoutFile, 'utf8').split('\n')) {
        if (!line.includes('"run-finished"')) continue;
        const e = JSON.parse(line);
        if (e.status !== 'succeeded') throw new Error(`bootstrap run ${e.status}`);
        return e.durationMs;
      }
      throw new Error('no run-finished event in the --json output');
    },
  };
  return spec;
}

/**
 * bench/floor.mjs on the graph in `dir`: the same DAG through bootstrap's spawn helper and nothing
 * else; `journal`: plus the durable task-start record per task that bootstrap must write (a fresh
 * state dir every run).
 */
export function floorCmd(dir, { concurrency, runs, journal = false, key = journal ? 'floor-journal' : 'floor', label }) {
  let n = 0;
  const spec = {
    key,
    label: label ?? (journal ? 'floor: node + spawn helper + durable journal' : 'floor: node + spawn helper'),
    runs,
    cmd: process.execPath,
    cwd: dir,
    env: quietEnv(),
    args: [],
    before() {
      spec.state = freshState(dir, key, n++);
      spec.args = [path.join(ROOT, 'bench', 'floor.mjs'), 'graph.json', '--concurrency', String(concurrency), ...(journal ? ['--journal', spec.state] : [])];
    },
    after() {
      fs.rmSync(spec.state, { recursive: true, force: true });
    },
  };
  return spec;
}

export function makeCmd(dir, { jobs, runs, key = 'make', label = `make -j${jobs}`, dryRun = false }) {
  return { key, label, runs, cmd: 'make', args: ['-s', `-j${jobs}`, ...(dryRun ? ['-n'] : []), '-f', 'Makefile', 'all'], cwd: dir };
}

export function ninjaCmd(dir, { jobs, runs, key = 'ninja', label = `ninja -j${jobs}`, dryRun = false }) {
  return { key, label, runs, cmd: 'ninja', args: ['--quiet', `-j${jobs}`, ...(dryRun ? ['-n'] : [])], cwd: dir };
}

/** ansible-playbook, local connection, no facts; its tasks run one after another. */
export function ansibleCmd(dir, { runs, key = 'ansible', label = 'ansible-playbook (serial)' }) {
  return {
    key,
    label,
    runs,
    warmup: false,
    cmd: 'ansible-playbook',
    args: ['-i', 'localhost,', 'play.yml'],
    cwd: dir,
    env: {
      ...process.env,
      ANSIBLE_NOCOWS: '1',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_LOCALHOST_WARNING: '0',
      ANSIBLE_INVENTORY_UNPARSED_WARNING: '0',
      ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
      ANSIBLE_FORCE_COLOR: '0',
    },
  };
}

export function bashSequentialCmd(dir, { runs, key = 'bash', label = 'bash script (sequential, as the seeds)' }) {
  return { key, label, runs, cmd: 'bash', args: ['sequential.sh'], cwd: dir };
}
