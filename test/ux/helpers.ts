/** Shared helpers of the UX tests: the CLI, real headless Chromium, and tmux as a terminal. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, REPO, runCli, type CliResult } from '../support/cli.js';

export { REPO, BIN };
export const EXAMPLES = path.join(REPO, 'examples');

/** Run `bootstrap <args>` in `cwd` (no colours, no CI heuristics). */
export function bs(args: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return runCli(args, { cwd, env: { CI: undefined, ...env } });
}

/** Parse NDJSON output into events. */
export function events(stdout: string): Array<Record<string, any>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** Path of a Chromium binary, or a clear failure: the HTML report test needs a real browser. */
export function chromiumPath(): string {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  throw new Error('chromium is not installed: the HTML report test renders report.html in a real headless browser. Install it with `apt-get install -y chromium` (Debian), as CI does.');
}

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Render a local HTML file in headless Chromium: the DOM after scripts ran, and a PNG screenshot. */
export function renderInChromium(file: string, png: string): { dom: string } {
  const bin = chromiumPath();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bootstrap-chromium-'));
  try {
    const url = `file://${file}`;
    const common = [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, '--window-size=1280,900'];
    execFileSync(bin, [...common, `--screenshot=${png}`, url], { stdio: 'ignore', timeout: 60_000 });
    const dom = execFileSync(bin, [...common, '--dump-dom', url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return { dom };
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** A tmux server of our own (its own socket), as a real terminal for the live view. */
export class Tmux {
  private readonly socket = `bootstrap-ux-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  private socketPath: string | undefined;

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Start `command` (a shell command line) in a detached session of the given size. */
  start(command: string, cwd: string, width = 120, height = 40): void {
    // The trailing sleep keeps the pane (and what it shows) after the command exits; stop() ends it.
    this.tmux(['new-session', '-d', '-s', 'ux', '-x', String(width), '-y', String(height), '-c', cwd, `${command}; sleep 600`]);
    this.socketPath = this.tmux(['display-message', '-p', '-t', 'ux', '#{socket_path}']).trim();
  }

  /** The visible screen as text (`escapes`: with colour escape sequences). */
  capture(escapes = false): string {
    return this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'ux']);
  }

  /** Poll the screen until `predicate` holds. */
  async waitFor(predicate: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const start = Date.now();
    for (;;) {
      const screen = this.capture();
      if (predicate(screen)) return screen;
      if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; the screen shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stop our tmux server (only ours: it has its own socket). */
  stop(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      /* already gone */
    }
    if (this.socketPath) fs.rmSync(this.socketPath, { force: true });
  }
}

/** A shell command line that runs the CLI in a terminal with colours allowed. */
export function ttyCommand(args: string[]): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `env -u CI -u NO_COLOR -u FORCE_COLOR -u BOOTSTRAP_STATE_DIR TERM=xterm-256color ${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}; echo "EXIT=$?"`;
}
