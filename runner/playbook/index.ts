/** The playbook front end: load + validate into the model, vars resolution, diagnostics. */
export type * from './model.js';
export { loadPlaybook, loadPlaybookText, type LoadOptions, type LoadResult } from './load.js';
export {
  COMMAND_LINE,
  DiagnosticError,
  hasErrors,
  sortDiagnostics,
  type Diagnostic,
} from './diagnostics.js';
export { formatDiagnostics, type FormatOptions, type SourceLookup } from './format.js';
export {
  checkGivenVars,
  loadVarsFile,
  nestVars,
  parseVarArgs,
  resolveVars,
  type PromptFn,
  type PromptInfo,
  type ResolvedVars,
  type VarSource,
  type VarsInput,
} from './vars.js';
export { parseDuration } from './duration.js';
export { findCycles, cycleText } from './cycles.js';
export { playbookSchema, playbookSchemaPath } from './schema.js';
