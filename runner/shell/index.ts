/**
 * Shell fields: bash scripts with `${{ }}` interpolations, where every interpolated value is
 * exactly one inert word whatever it contains. See `render.ts` for how, and `scanner.ts`
 * for the contexts that are recognised and those that are refused.
 */
export type { ShellContext, ShellTemplate } from './template.js';
export { parseShellTemplate, type ShellError } from './parse.js';
export { renderShell, bashArgs, commentPlaceholder } from './render.js';
export { displayShell, quoteBashWord } from './display.js';
export { scanShell, type MarkResult } from './scanner.js';
