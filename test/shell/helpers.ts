import { parseShellTemplate, type ShellTemplate } from '../../runner/shell/index.js';

export const pos = { file: 'pb.yaml', line: 1, col: 1 };

/** Parse a shell template that must have no errors. */
export function parseOk(src: string): ShellTemplate {
  const { template, errors } = parseShellTemplate(src, pos);
  if (errors.length) throw new Error(`unexpected errors in ${JSON.stringify(src)}: ${JSON.stringify(errors)}`);
  return template;
}

/** The context of each interpolation of a template that must have no errors. */
export function contexts(src: string): string[] {
  return parseOk(src).parts.flatMap((p) => ('expr' in p ? [p.context] : []));
}
