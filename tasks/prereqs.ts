/**
 * `prereqs`: checks that the tools a playbook needs are installed and recent enough, and that
 * some commands succeed (the Docker daemon runs, `az` and `gh` are logged in). Every tool and
 * check runs in parallel, and a failure lists every problem at once, each with what was
 * found, what is required and how to fix it.
 *
 * ```yaml
 * tools:
 *   uses: prereqs
 *   with:
 *     tools: [ { name: kind }, { name: helm, min: 3.0.0 }, { name: kubectl, min: 1.25.0 } ]
 *     checks:
 *       - { name: docker daemon, command: [docker, info], hint: start Docker Desktop or the docker service }
 * ```
 */
import { describeExit, succeeded, type ProcessResult } from '../runner/process.js';
import { TaskError, type TaskContext, type TaskKind } from './kind.js';
import { durationSchema, parseDuration } from './lib/duration.js';
import { installHint, parseToolVersion, versionCommand } from './lib/known-tools.js';
import { atLeast, parseVersion } from './lib/semver.js';

/** One required tool. */
export interface ToolSpec {
  name: string;
  /** Minimum version (`3.0.0`, `v1.25`, ...). A number is accepted for YAML's sake (`min: 3`). */
  min?: string | number;
  /** argv printing the version; default from the built-in table or `[name, '--version']`. */
  command?: string[];
  /** Regex extracting the version from the output (first capture group, else the match). */
  versionPattern?: string;
  /** Install hint shown when missing or outdated; default from the built-in table. */
  hint?: string;
}

/** A command that must exit 0. */
export interface CheckSpec {
  name: string;
  command: string[];
  hint: string;
}

/** `with` of `prereqs`. */
export interface PrereqsWith {
  tools: ToolSpec[];
  checks?: CheckSpec[];
  /** Per tool/check timeout: ms or a duration string. Default 10s. */
  timeout?: number | string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

const argvSchema = { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 };

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['tools'],
  description: 'Tools that must be installed (with minimum versions) and commands that must succeed.',
  properties: {
    tools: {
      type: 'array',
      description: 'Tools that must be on PATH. Known tools (docker, kind, helm, kubectl, az, gh, git, jq, bash, oras, curl) need only a name.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, description: 'Executable name, looked up on PATH; also the key in the `versions` output.' },
          min: {
            oneOf: [{ type: 'string' }, { type: 'number' }],
            description: 'Minimum version, e.g. "3.0.0" (v-prefix, missing patch and pre-release suffixes are tolerated). Quote it in YAML ("3.10" is not 3.1). Default: any version.',
          },
          command: {
            ...argvSchema,
            description: "argv that prints the version. Default: the built-in one for known tools (e.g. ['kubectl','version','--client','-o','json']), else [name, '--version'].",
          },
          versionPattern: {
            type: 'string',
            description: 'Regular expression extracting the version from the output (first capture group, else the whole match). Default: the built-in parser, else the first x.y[.z] in the output.',
          },
          hint: { type: 'string', description: 'How to install or upgrade the tool. Default: the built-in hint for this OS, if known.' },
        },
      },
    },
    checks: {
      type: 'array',
      description: 'Commands that must exit 0, e.g. the Docker daemon (`docker info`) or a login (`az account show`, `gh auth status`). Default: none.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'command', 'hint'],
        properties: {
          name: { type: 'string', minLength: 1, description: 'What is checked, e.g. "docker daemon".' },
          command: { ...argvSchema, description: 'argv of the command (no shell).' },
          hint: { type: 'string', description: 'What to do when the command fails, e.g. "run az login".' },
        },
      },
    },
    timeout: { ...durationSchema, description: 'Timeout of each version command and check (ms or "10s"). Default 10s.' },
  },
} as const;

/** Checks required tools (in parallel) and lists every missing or outdated one at once. */
export const prereqsKind: TaskKind<PrereqsWith> = {
  name: 'prereqs',
  description: 'Check that required tools are installed and recent enough, and that some commands succeed',
  schema,
  outputs: {
    versions: { description: 'Detected version of each tool, by tool name ("x.y.z", or "unknown" when unreadable and no minimum is set).' },
  },

  validate(w) {
    const problems: Array<{ path: Array<string | number>; message: string }> = [];
    const tools = (w as Partial<PrereqsWith> | null)?.tools;
    if (!Array.isArray(tools)) return problems;
    const seen = new Set<string>();
    tools.forEach((t, i) => {
      if (!t || typeof t !== 'object') return;
      if (typeof t.name === 'string') {
        if (seen.has(t.name)) problems.push({ path: ['tools', i, 'name'], message: `tool "${t.name}" is listed twice` });
        seen.add(t.name);
      }
      if (t.min !== undefined && !isExpr(t.min) && !parseVersion(String(t.min))) {
        problems.push({ path: ['tools', i, 'min'], message: `"${t.min}" is not a version (expected e.g. 3.0.0)` });
      }
      if (typeof t.versionPattern === 'string' && !isExpr(t.versionPattern)) {
        try {
          new RegExp(t.versionPattern);
        } catch (e) {
          problems.push({ path: ['tools', i, 'versionPattern'], message: `invalid regular expression: ${(e as Error).message}` });
        }
      }
    });
    return problems;
  },

  async run(w, ctx) {
    const timeoutMs = w.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(w.timeout);
    const found: Array<string | undefined> = [];
    const checks = w.checks ?? [];
    // One slot per tool, then per check: problems are listed in the order written.
    const slots: Array<string | undefined> = [];
    ctx.progress(`checking ${w.tools.length} tool(s) and ${checks.length} check(s)`);
    await Promise.all([
      ...w.tools.map(async (tool, i) => {
        const r = await checkTool(tool, ctx, timeoutMs);
        found[i] = r.version;
        slots[i] = r.problem;
      }),
      ...checks.map(async (check, i) => {
        slots[w.tools.length + i] = await runCheck(check, ctx, timeoutMs);
      }),
    ]);
    if (ctx.signal.aborted) throw abortError(ctx.signal);
    const versions: Record<string, string> = {};
    w.tools.forEach((t, i) => {
      if (found[i] !== undefined) versions[t.name] = found[i]!;
    });
    const problems = slots.filter((p): p is string => p !== undefined);
    if (problems.length) {
      const list = problems.map((p) => `  - ${p}`).join('\n');
      throw new TaskError(
        `prerequisites not met (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${list}`,
        'install or upgrade the tools listed above (each line has a hint), then run again',
      );
    }
    const names = Object.keys(versions);
    return {
      outputs: { versions },
      summary: names.map((n) => `${n} ${versions[n]}`).join(', ') + (w.checks?.length ? `; ${w.checks.length} check(s) ok` : ''),
    };
  },
};

function isExpr(v: unknown): boolean {
  return typeof v === 'string' && v.includes('${{');
}

async function checkTool(tool: ToolSpec, ctx: TaskContext, timeoutMs: number): Promise<{ version?: string; problem?: string }> {
  const argv = tool.command?.length ? tool.command : versionCommand(tool.name);
  const hint = tool.hint ?? installHint(tool.name);
  const r = await ctx.exec(argv[0]!, argv.slice(1), { quiet: true, timeoutMs });
  if (r.spawnError) {
    if (r.spawnError.startsWith('command not found')) return { problem: `${tool.name} is not installed (not found on PATH); install: ${hint}` };
    return { problem: `${tool.name} cannot be started: ${r.spawnError}; install: ${hint}` };
  }
  if (!succeeded(r)) {
    return { problem: `${tool.name} is installed but \`${argv.join(' ')}\` failed (${describeExit(r, timeoutMs)})${lastLine(r)}` };
  }
  const output = `${r.stdout}\n${r.stderr}`;
  const version = parseToolVersion(tool.name, output, tool.versionPattern);
  const min = tool.min === undefined ? undefined : String(tool.min);
  if (!version) {
    if (min === undefined) {
      ctx.log('warn', `${tool.name}: could not read a version from \`${argv.join(' ')}\``);
      return { version: 'unknown' };
    }
    return {
      version: 'unknown',
      problem: `${tool.name}: cannot read its version from \`${argv.join(' ')}\` (output: ${firstLine(output)}); required >= ${min}; set versionPattern, or upgrade: ${hint}`,
    };
  }
  if (min !== undefined && !atLeast(version, min)) {
    return { version, problem: `${tool.name} ${version} is too old: required >= ${min}; upgrade: ${hint}` };
  }
  ctx.log('debug', `${tool.name} ${version}${min ? ` (>= ${min})` : ''}`);
  return { version };
}

async function runCheck(check: CheckSpec, ctx: TaskContext, timeoutMs: number): Promise<string | undefined> {
  const [file, ...args] = check.command;
  const r = await ctx.exec(file!, args, { quiet: true, timeoutMs });
  if (succeeded(r)) return undefined;
  const why = r.spawnError?.startsWith('command not found') ? `${file} is not installed` : describeExit(r, timeoutMs);
  return `check "${check.name}" failed: \`${check.command.join(' ')}\`: ${why}${lastLine(r)}; hint: ${check.hint}`;
}

/** The failed check's own words: its last line on stderr, else its last line of output. */
function lastLine(r: ProcessResult): string {
  const last = (lines: readonly string[]) => [...lines].reverse().find((l) => l.trim() !== '');
  const line = last(r.stderr.split('\n')) ?? last(r.lastLines);
  return line ? `: ${truncate(line.trim(), 200)}` : '';
}

function firstLine(text: string): string {
  return truncate(text.trim().split('\n')[0] ?? '', 120) || '(empty)';
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function abortError(signal: AbortSignal): Error {
  const e = new Error(typeof signal.reason === 'string' ? signal.reason : 'interrupted');
  e.name = 'AbortError';
  return e;
}
