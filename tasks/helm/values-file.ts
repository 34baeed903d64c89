/**
 * Inline `values` go to helm as a file, never as argv: a YAML file with mode 0600 in a 0700
 * directory inside the state dir, created exclusively and removed when the task is done.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';

/** A values file that exists until {@link ValuesFile.dispose} is called. */
export interface ValuesFile {
  path: string;
  dispose(): Promise<void>;
}

/** Writes `values` to `<stateDir>/tmp/helm-values-<task>-<random>.yaml` (0600). */
export async function writeValuesFile(stateDir: string, taskId: string, values: Record<string, unknown>): Promise<ValuesFile> {
  const dir = path.join(stateDir, 'tmp');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const safeTask = taskId.replace(/[^A-Za-z0-9_-]/g, '_');
  const file = path.join(dir, `helm-values-${safeTask}-${randomBytes(6).toString('hex')}.yaml`);
  await writeFile(file, stringify(values), { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return { path: file, dispose: () => rm(file, { force: true }) };
}
