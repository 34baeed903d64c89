/** Var resolution for a run: --var, --vars-file, the resumed run's values, env, prompts, defaults. */
import path from 'node:path';
import { CliError, EXIT } from '../exit-codes.js';
import type { Playbook } from '../playbook/model.js';
import { loadVarsFile, nestVars, parseVarArgs, resolveVars } from '../playbook/vars.js';
import type { RunRecord } from '../state.js';
import { printDiagnostics, type Io } from './common.js';

export interface RunVars {
  values: Record<string, unknown>;
  secret: Set<string>;
  nested: Record<string, unknown>;
  interactive: boolean;
}

/** Why bootstrap will not ask questions (undefined: it may), as the missing-var message ends. */
export function notInteractiveBecause(io: Io, nonInteractive?: boolean): string | undefined {
  if (nonInteractive) return 'or run without --non-interactive on a terminal to be asked';
  // stdout first: stdin's stream is only made when stdout is a terminal.
  if (!io.stdout.isTTY || !io.stdin.isTTY) return 'or run interactively on a terminal';
  if (io.env.CI) return 'or unset CI to be asked (bootstrap does not prompt when CI is set)';
  return undefined;
}

export async function resolveRunVars(
  io: Io,
  playbook: Playbook,
  opts: { var?: string[]; varsFile?: string; nonInteractive?: boolean },
  resumed?: RunRecord,
): Promise<RunVars> {
  const parsed = parseVarArgs(opts.var ?? []);
  let fileValues: Record<string, unknown> | undefined;
  const diags = [...parsed.diagnostics];
  if (opts.varsFile) {
    const f = await loadVarsFile(path.resolve(io.cwd, opts.varsFile));
    diags.push(...f.diagnostics);
    fileValues = f.values;
  }
  // A resumed run keeps the values it was started with, unless given again now.
  if (resumed) {
    const journalled: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(resumed.vars)) if (!v.secret && v.value !== undefined && playbook.vars.has(name)) journalled[name] = v.value;
    fileValues = { ...journalled, ...(fileValues ?? {}) };
  }
  if (diags.some((d) => d.severity === 'error')) {
    printDiagnostics(io, diags);
    throw new CliError('bad var values', EXIT.BAD_INPUT, undefined, true);
  }
  const noPrompt = notInteractiveBecause(io, opts.nonInteractive);
  const interactive = noPrompt === undefined;
  const prompt = interactive ? (await import('../playbook/prompt.js')).createPrompt(io.stdin, io.stdout as NodeJS.WritableStream) : undefined;
  const r = await resolveVars(playbook, { cli: parsed.values, file: fileValues, env: io.env, prompt, interactive, noPrompt });
  if (r.diagnostics.some((d) => d.severity === 'error')) {
    printDiagnostics(io, r.diagnostics);
    throw new CliError('cannot resolve vars', EXIT.BAD_INPUT, undefined, true);
  }
  printDiagnostics(io, r.diagnostics);
  return { values: r.values, secret: new Set(r.secrets), nested: nestVars(r.values), interactive };
}
