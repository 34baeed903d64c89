import { runProcess } from '../../runner/process.js';
import { bashArgs, renderShell, type ShellTemplate } from '../../runner/shell/index.js';

/** Run a rendered template in real bash, with a minimal environment. */
export async function runTemplate(t: ShellTemplate, values: string[], cwd: string) {
  const { script, env } = renderShell(t, values);
  const r = await runProcess({
    file: 'bash',
    args: bashArgs(script),
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, LC_ALL: 'C.UTF-8', ...env },
    captureStdout: true,
    timeoutMs: 20_000,
  });
  return { ...r, script };
}
