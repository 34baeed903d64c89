/**
 * Where bootstrap's own files are. Found by walking up from this module to the directory with
 * package.json, so it holds wherever the code runs from: the sources (tests), dist/ as tsc
 * writes it, or the bundle in dist/bundle/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
