/**
 * Parser of the `$BOOTSTRAP_OUTPUT` file: `name=value` lines, and GitHub-Actions-style
 * multi-line values `name<<DELIM` ... `DELIM`. Later assignments win.
 */
export interface OutputsParse {
  outputs: Record<string, string>;
  /** Lines that could not be understood, 1-based, for a warning. */
  errors: Array<{ line: number; message: string }>;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function parseOutputsFile(text: string): OutputsParse {
  const outputs: Record<string, string> = Object.create(null);
  const errors: OutputsParse['errors'] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line.trim()) continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc && (eq < 0 || eq > line.indexOf('<<'))) {
      const name = heredoc[1].trim();
      const delim = heredoc[2];
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j].replace(/\r$/, '') !== delim) body.push(lines[j++]);
      if (j >= lines.length) {
        errors.push({ line: i + 1, message: `multi-line output \`${name}\` is missing its closing delimiter ${delim}` });
        break;
      }
      if (!NAME.test(name)) errors.push({ line: i + 1, message: `invalid output name \`${name}\`` });
      else outputs[name] = body.join('\n');
      i = j;
      continue;
    }
    if (eq <= 0) {
      errors.push({ line: i + 1, message: 'expected name=value or name<<DELIMITER' });
      continue;
    }
    const name = line.slice(0, eq).trim();
    if (!NAME.test(name)) {
      errors.push({ line: i + 1, message: `invalid output name \`${name}\`` });
      continue;
    }
    outputs[name] = line.slice(eq + 1);
  }
  return { outputs: { ...outputs }, errors };
}
