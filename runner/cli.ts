/**
 * The command line: the only place that wires things together. Each command's module is
 * imported when it runs, so `bootstrap --version` loads almost nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { Io } from './commands/common.js';
import { packageRoot } from './paths.js';

function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const positiveInt = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
};

function io(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    // Only prompts read stdin; process.stdin makes a stream on first use, which for a file or
    // /dev/null loads fs streams, fs/promises and readline (~2 ms at every start).
    get stdin() {
      return process.stdin;
    },
    // A plain copy: expressions only read plain objects, and process.env is not one.
    env: { ...process.env },
    cwd: process.cwd(),
  };
}

/** Run a command action and turn every outcome into an exit code; never a stack trace. */
async function act(fn: () => Promise<ExitCode>): Promise<void> {
  let code: number;
  try {
    code = await fn();
  } catch (e) {
    code = reportError(e);
  }
  process.exitCode = code;
}

function reportError(e: unknown): number {
  if ((e as Error)?.name === 'PromptInterruptedError') {
    process.stderr.write('\ninterrupted: nothing was run\n');
    return EXIT.INTERRUPTED;
  }
  if (e instanceof CliError) {
    if (!e.printed) {
      process.stderr.write(`error: ${e.message}\n`);
      if (e.hint) process.stderr.write(`${e.hint.startsWith('choose') ? '' : 'hint: '}${e.hint}\n`);
    }
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`bootstrap: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.BOOTSTRAP_DEBUG) process.stderr.write(`${err?.stack}\n`);
  else process.stderr.write('set BOOTSTRAP_DEBUG=1 for details, and please report it\n');
  return EXIT.FAILED;
}

export function buildProgram(): Command {
  const program = new Command('bootstrap')
    .description('Declarative task-graph runner: parallel, journalled, resumable and undoable playbooks.')
    .version(version(), '-V, --version', 'print the version')
    .showHelpAfterError('(run bootstrap --help for usage)')
    .configureOutput({ outputError: (s, write) => write(s) })
    .exitOverride();

  const stateDirOpt = () => new Option('--state-dir <dir>', 'state dir (default .bootstrap/<playbook name>/, or $BOOTSTRAP_STATE_DIR)');

  program
    .command('run')
    .description('run a playbook')
    .argument('<playbook>', 'the playbook file')
    .option('--resume', 'continue the latest unfinished run')
    .option('--fresh', 'start a new run even if an unfinished one exists')
    .option('--var <k=v>', 'set a var (repeatable; beats --vars-file)', collect)
    .option('--vars-file <file>', 'YAML or JSON file of var values')
    .option('--concurrency <n>', 'tasks running at once (default: CPUs, at least 4)', positiveInt)
    .option('--rollback', 'if the run fails, undo what it did')
    .option('-y, --yes', 'do not ask to confirm the configuration')
    .option('--non-interactive', 'never prompt; a missing var is an error')
    .addOption(stateDirOpt())
    .option('--json', 'print events as NDJSON on stdout')
    .addOption(new Option('-v, --verbose', 'stream every task output line').conflicts('quiet'))
    .option('-q, --quiet', 'only failures and the summary')
    .option('--dry-run', 'print the resolved steps in order; run nothing')
    .action((file, opts, cmd: Command) =>
      act(async () => {
        // The spawn helper starts before the run command's code loads (~10 ms of module set-up),
        // so that Python's own start-up is over when the first task spawns (otherwise that spawn
        // would start it). Reaped whatever happens (bad input included).
        const helper = opts.dryRun ? undefined : await import('./spawn-server.js');
        helper?.startSpawnHelper();
        try {
          return await (await import('./commands/run.js')).runCommand(io(), file, opts, argvOf(cmd));
        } finally {
          await helper?.stopSpawnHelper();
        }
      }),
    );

  program
    .command('undo')
    .description('undo what runs did, in reverse dependency order')
    .argument('[playbook]', 'the playbook file (only its name is read: undo works even if it changed)')
    .addOption(stateDirOpt())
    .option('--force', 'undo what a failed undo step needs anyway')
    .option('--purge', 'also remove the state dir (journal and logs) once everything is undone')
    .option('--concurrency <n>', 'undo steps running at once', positiveInt)
    .option('--json', 'print events as NDJSON on stdout')
    .action((file, opts, cmd: Command) => act(async () => (await import('./commands/undo.js')).undoCommand(io(), file, opts, argvOf(cmd))));

  program
    .command('validate')
    .description('check a playbook: schema, graph, vars, expressions')
    .argument('<playbook>', 'the playbook file')
    .option('--var <k=v>', 'also check a var value (repeatable)', collect)
    .action((file, opts) => act(async () => (await import('./commands/validate.js')).validateCommand(io(), file, opts)));

  program
    .command('status')
    .description('what the journal says: runs, tasks, what undo would remove')
    .argument('[playbook]', 'the playbook file')
    .addOption(stateDirOpt())
    .option('--json', 'print a JSON document')
    .action((file, opts) => act(async () => (await import('./commands/status.js')).statusCommand(io(), file, opts)));

  program
    .command('plan')
    .description('show what a run would do, changing nothing: will run, already satisfied, done, skipped, blocked')
    .argument('<playbook>', 'the playbook file')
    .option('--var <k=v>', 'set a var (repeatable; beats --vars-file)', collect)
    .option('--vars-file <file>', 'YAML or JSON file of var values')
    .option('--non-interactive', 'never prompt; a missing var is an error')
    .addOption(stateDirOpt())
    .option('--json', 'print the plan as a JSON document')
    .addHelpText('after', () => PLAN_EXIT_HELP)
    .action((file, opts) => act(async () => (await import('./commands/plan.js')).planCommand(io(), file, opts) as Promise<ExitCode>));

  program
    .command('graph')
    .description('print the task graph with its critical path (weighted by the last run when journalled)')
    .argument('<playbook>', 'the playbook file')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'mermaid', 'dot']).default('text'))
    .addOption(stateDirOpt())
    .action((file, opts) => act(async () => (await import('./commands/graph.js')).graphCommand(io(), file, opts)));

  program
    .command('init')
    .description('scaffold a playbook (<name>.yaml in the current directory)')
    .argument('[name]', 'the playbook name (lowercase letters, digits and -)', 'playbook')
    .action((name) => act(async () => (await import('./commands/init.js')).initCommand(io(), name)));

  return program;
}

/** Exit codes of `bootstrap plan` (kept here so `--help` does not load the command). */
const PLAN_EXIT_HELP = `
Exit codes (like terraform plan -detailed-exitcode):
  0    nothing to do: every task is satisfied, done, or skipped
  10   changes pending: at least one task would run (or is decided at run time)
  1    blocked: a precondition fails, so a run would fail
  2    bad input (playbook, vars, flags)
  130  interrupted`;

/** The arguments as the user typed them after `bootstrap` (for hints and the lock holder). */
function argvOf(cmd: Command): string[] {
  return [cmd.name(), ...process.argv.slice(process.argv.indexOf(cmd.name()) + 1)];
}

export async function main(argv = process.argv): Promise<void> {
  // `bootstrap run ... | head`: once the reader is gone, stop printing but let the run go on
  // (the journal and run.log have everything); without this Node dies with a stack trace.
  for (const s of [process.stdout, process.stderr]) s.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; usage errors are bad input.
      process.exitCode = e.exitCode === 0 ? 0 : EXIT.BAD_INPUT;
      return;
    }
    process.exitCode = reportError(e);
  }
}

