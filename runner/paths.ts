/**
 * Where bootstrap's own files are. Found by walking up from this module to the directory with
 * package.json, so it holds wherever the code runs from: the sources (tests), dist/ as tsc
 * writes it, or the bundle in dist/bundle/.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The bootstrap checkout or package (the directory holding its package.json). */
export function packageRoot(): string {
  if (root === undefined) {
    const here = dirname(fileURLToPath(import.meta.url));
    let dir = here;
    for (let i = 0; i < 6 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
    root = existsSync(join(dir, 'package.json')) ? dir : dirname(here);
  }
  return root;
}

/** Whether `file` is a regular file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The executable `name` (no slash) on `PATH`, as execvp finds it: entries in order, an empty or
 * relative entry taken from `cwd`.
 */
export function findOnPath(name: string, PATH: string | undefined, cwd = process.cwd()): string | undefined {
  for (const dir of (PATH ?? '').split(delimiter)) {
    const file = resolve(cwd, dir || '.', name);
    if (isExecutableFile(file)) return file;
  }
  return undefined;
}
