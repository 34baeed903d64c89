/** `bootstrap validate <playbook>`: schema, graph, expressions, and any var values given. */
import { EXIT, type ExitCode } from '../exit-codes.js';
import { parseVarArgs, checkGivenVars } from '../playbook/vars.js';
import { loadPlaybookOrExit, printDiagnostics, type Io } from './common.js';
import { CliError } from '../exit-codes.js';

export async function validateCommand(io: Io, file: string, opts: { var?: string[] }): Promise<ExitCode> {
  const playbook = await loadPlaybookOrExit(io, file);
  const given = parseVarArgs(opts.var ?? []);
  const diags = [...given.diagnostics, ...checkGivenVars(playbook, given.values)];
  printDiagnostics(io, diags);
  if (diags.some((d) => d.severity === 'error')) throw new CliError('bad var values', EXIT.BAD_INPUT, undefined, true);
  io.stdout.write(`${file}: valid (${playbook.tasks.size} tasks, ${playbook.vars.size} vars)\n`);
  return EXIT.OK;
}
