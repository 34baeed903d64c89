/**
 * Renders a template directory into a flat list of files with placeholders filled.
 *
 * Placeholder syntax: `@@name@@`, where `name` matches `[a-zA-Z_][a-zA-Z0-9_.]*`. That is the
 * only thing touched: GitHub Actions `${{ }}`, Go/Helm `{{ }}` and any other text (including a
 * lone `@@` or `@@` not followed by a valid name and `@@`) pass through unchanged. Placeholders
 * are replaced in the content of text files and in file and directory names. A file containing
 * a NUL byte is binary and copied verbatim (its name is still rendered).
 *
 * Replacement works on bytes, so text files that are not valid UTF-8 keep their bytes; values
 * are inserted as UTF-8.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One rendered file: a posix path relative to the template dir, its bytes and git file mode. */
export interface RenderedFile {
  path: string;
  content: Buffer;
  mode: '100644' | '100755';
}

/** A template that cannot be rendered; `problems` lists every problem found (file:line: ...). */
export class RenderError extends Error {
  constructor(
    readonly problems: string[],
    readonly knownNames: string[],
  ) {
    super(
      `template has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ` +
        problems.join('\n  ') +
        `\nknown placeholders: ${knownNames.length ? knownNames.join(', ') : '(none)'}`,
    );
    this.name = 'RenderError';
  }
}

/** Matches `@@name@@`; the name is group 1. */
export const PLACEHOLDER = /@@([a-zA-Z_][a-zA-Z0-9_.]*)@@/g;

/**
 * Reads every file under `dir` (sorted by rendered path) and fills placeholders from `values`.
 * Throws {@link RenderError} listing every unknown placeholder (with file:line) and every bad
 * rendered name; throws a plain Error when `dir` is not a readable directory.
 */
export async function renderTree(dir: string, values: Record<string, string>): Promise<RenderedFile[]> {
  const known = Object.keys(values).sort();
  const problems: string[] = [];
  const files: RenderedFile[] = [];
  const seen = new Map<string, string>();

  const st = await lstat(dir).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`template directory ${dir} does not exist or is not a directory`);

  async function walk(rel: string, renderedRel: string): Promise<void> {
    const abs = path.join(dir, rel);
    const names = (await readdir(abs)).sort();
    for (const name of names) {
      const srcRel = rel ? `${rel}/${name}` : name;
      const outName = renderName(name, srcRel);
      if (outName === undefined) continue;
      const outRel = renderedRel ? `${renderedRel}/${outName}` : outName;
      const s = await lstat(path.join(abs, name));
      if (s.isDirectory()) {
        await walk(srcRel, outRel);
      } else if (s.isFile()) {
        const raw = await readFile(path.join(abs, name));
        const content = raw.includes(0) ? raw : renderContent(raw, srcRel);
        const other = seen.get(outRel);
        if (other !== undefined) problems.push(`${srcRel}: renders to ${outRel}, as does ${other}`);
        seen.set(outRel, srcRel);
        files.push({ path: outRel, content, mode: s.mode & 0o111 ? '100755' : '100644' });
      } else {
        problems.push(`${srcRel}: only regular files and directories are supported (symlinks and special files are not)`);
      }
    }
  }

  function renderName(name: string, srcRel: string): string | undefined {
    let unknown = false;
    const out = name.replace(PLACEHOLDER, (m, key: string) => {
      if (Object.hasOwn(values, key)) return values[key]!;
      problems.push(`${srcRel}: unknown placeholder ${m} in the name`);
      unknown = true;
      return m;
    });
    if (unknown) return out;
    if (out === '' || out === '.' || out === '..' || out.includes('/') || out.includes('\\') || out.includes('\0')) {
      problems.push(`${srcRel}: the name renders to ${JSON.stringify(out)}, which is not a valid file name`);
      return undefined;
    }
    if (out === '.git') {
      problems.push(`${srcRel}: a .git entry cannot be part of a git tree`);
      return undefined;
    }
    return out;
  }

  function renderContent(raw: Buffer, srcRel: string): Buffer {
    // latin1 maps bytes 1:1 to code units, so untouched bytes round-trip exactly.
    const text = raw.toString('latin1');
    let changed = false;
    const out = text.replace(PLACEHOLDER, (m, key: string, offset: number) => {
      if (Object.hasOwn(values, key)) {
        changed = true;
        return Buffer.from(values[key]!, 'utf8').toString('latin1');
      }
      problems.push(`${srcRel}:${lineAt(text, offset)}: unknown placeholder ${m}`);
      return m;
    });
    return changed ? Buffer.from(out, 'latin1') : raw;
  }

  await walk('', '');
  if (problems.length) throw new RenderError(problems, known);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
