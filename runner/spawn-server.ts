/**
 * A spawn helper: one small long-lived process that forks and execs task commands for us.
 *
 * Why: `child_process.spawn` forks the whole node process (page tables of 60-200 MB) and blocks
 * the event loop until the child has exec'ed: ~2 ms per task here, half of a trivial task's cost
 * (bench/README.md). A fork of a 5 MB helper costs a fraction of that and happens on the other
 * core. The helper is a Perl script (perl-base is on every Debian/Ubuntu and macOS machine);
 * where perl is missing, or with BOOTSTRAP_SPAWN=direct, commands are spawned directly as before.
 *
 * Every command still gets what runner/process.ts promises: its own session and process group
 * (setsid: pgid = pid, so kill(-pid) reaches its whole tree), stdin from /dev/null, its exact
 * environment and cwd, stdout and stderr on their own pipes (read by the helper and forwarded
 * here, EOF included), and the exact exit code or terminating signal (waitpid).
 *
 * Protocol, on the helper's stdin/stdout:
 *   request  `S <id> <len>\n` + len bytes: file, cwd, argc, argv..., envc, k=v... joined by NUL
 *   replies  `P <id> <pid>\n` started · `E <id> <errno>\n` could not start (nothing runs)
 *            `O <id> <1|2> <len>\n` + len bytes of output · `C <id> <1|2>\n` that stream ended
 *            `X <id> <code|-> <signal number|->\n` reaped
 */
import { spawn as spawnDirect, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const HELPER = String.raw`
use strict; use POSIX ();
$SIG{PIPE} = 'IGNORE';
binmode STDIN; binmode STDOUT;
pipe(my $sigr, my $sigw) or die "pipe: $!";
$SIG{CHLD} = sub { syswrite($sigw, 'c') };
# %job: pid -> {id, out, err, xr, ok (exec confirmed), bad (exec failed), status (reaped first)}
my (%streams, %execs, %job);
my $in = '';
sub put { my ($s) = @_; my $o = 0;
  while ($o < length $s) { my $n = syswrite(STDOUT, $s, length($s) - $o, $o);
    if (!defined $n) { next if $!{EINTR}; POSIX::_exit(0) } $o += $n } }
sub reap { while ((my $p = waitpid(-1, POSIX::WNOHANG())) > 0) { my $st = $?; my $j = $job{$p} or next;
  $j->{status} = POSIX::WIFEXITED($st) ? POSIX::WEXITSTATUS($st) . ' -' : '- ' . POSIX::WTERMSIG($st);
  if ($j->{ok}) { put("X $j->{id} $j->{status}\n"); delete $job{$p} } elsif ($j->{bad}) { delete $job{$p} } } }
sub start { my ($id, $payload) = @_;
  my @f = split /\0/, $payload, -1;
  my $file = shift @f; my $cwd = shift @f; my $argc = shift @f; my @argv = splice(@f, 0, $argc);
  my $envc = shift @f; my @env = splice(@f, 0, $envc);
  my ($or, $ow, $er, $ew, $xr, $xw);
  unless (pipe($or, $ow) && pipe($er, $ew) && pipe($xr, $xw)) { put("E $id " . ($! + 0) . "\n"); return }
  my $pid = fork();
  if (!defined $pid) { put("E $id " . ($! + 0) . "\n"); return }
  if ($pid == 0) {
    $SIG{CHLD} = 'DEFAULT'; $SIG{PIPE} = 'DEFAULT';
    POSIX::setsid();
    open(STDIN, '<', '/dev/null');
    POSIX::dup2(fileno($ow), 1); POSIX::dup2(fileno($ew), 2);
    if (length($cwd) && !chdir($cwd)) { syswrite($xw, ($! + 0) . ''); POSIX::_exit(127) }
    %ENV = map { split(/=/, $_, 2) } @env;
    { no warnings; exec { $file } @argv; }
    syswrite($xw, ($! + 0) . ''); POSIX::_exit(127);
  }
  close $ow; close $ew; close $xw;
  # The exec pipe is close-on-exec: EOF means the command runs, bytes are exec's errno.
  $job{$pid} = { id => $id, out => $or, err => $er, xr => $xr, errno => '' };
  $execs{fileno($xr)} = $pid }
sub confirmed { my ($pid) = @_; my $j = $job{$pid};
  delete $execs{fileno($j->{xr})}; close $j->{xr};
  if (length $j->{errno}) { close $j->{out}; close $j->{err}; put("E $j->{id} $j->{errno}\n");
    if (defined $j->{status}) { delete $job{$pid} } else { $j->{bad} = 1 } return }
  put("P $j->{id} $pid\n");
  $streams{fileno($j->{out})} = [$j->{out}, $j->{id}, 1]; $streams{fileno($j->{err})} = [$j->{err}, $j->{id}, 2];
  if (defined $j->{status}) { put("X $j->{id} $j->{status}\n"); delete $job{$pid} } else { $j->{ok} = 1 } }
while (1) {
  my $rin = '';
  vec($rin, fileno(STDIN), 1) = 1; vec($rin, fileno($sigr), 1) = 1;
  vec($rin, $_, 1) = 1 for keys %streams, keys %execs;
  my $n = select(my $rout = $rin, undef, undef, undef);
  if ($n < 0) { next if $!{EINTR}; die "select: $!" }
  if (vec($rout, fileno($sigr), 1)) { sysread($sigr, my $b, 512); reap() }
  for my $fd (keys %execs) { next unless vec($rout, $fd, 1);
    my $pid = $execs{$fd}; my $r = sysread($job{$pid}{xr}, my $b, 64);
    if (!defined $r) { next if $!{EINTR} || $!{EAGAIN} }
    if ($r) { $job{$pid}{errno} .= $b } else { confirmed($pid) } }
  # In fd order: a job's stdout pipe was made before its stderr pipe, so output written to both
  # before we woke up is passed on stdout first.
  for my $fd (sort { $a <=> $b } keys %streams) { next unless vec($rout, $fd, 1);
    my ($h, $id, $s) = @{$streams{$fd}};
    my $r = sysread($h, my $buf, 65536);
    if (!defined $r) { next if $!{EINTR} || $!{EAGAIN} }
    if ($r) { put("O $id $s " . length($buf) . "\n" . $buf) } else { close $h; delete $streams{$fd}; put("C $id $s\n") } }
  if (vec($rout, fileno(STDIN), 1)) {
    my $r = sysread(STDIN, my $buf, 65536);
    if (!defined $r) { next if $!{EINTR}; POSIX::_exit(0) }
    POSIX::_exit(0) if $r == 0;
    $in .= $buf;
    while ($in =~ /^S (\d+) (\d+)\n/ && length($in) >= length($&) + $2) {
      my ($id, $len, $h) = ($1, $2, length($&));
      my $payload = substr($in, $h, $len); $in = substr($in, $h + $len);
      start($id, $payload) } }
}
`;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(Object.entries(os.constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
const ERRNO_NAMES = new Map<number, string>(Object.entries(os.constants.errno).map(([name, n]) => [n, name]));

/** A stream of one command's output, as far as runner/process.ts uses a child's stdout. */
class OutputStream extends EventEmitter {
  destroyed = false;
  destroy(): void {
    this.destroyed = true;
  }
}

/** A command started by the helper, shaped like the parts of a ChildProcess we use. */
export class HelperChild extends EventEmitter {
  pid: number | undefined;
  constructor(
    private readonly file: string,
    private readonly args: readonly string[],
    private readonly cwd: string | undefined,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    super();
  }
  readonly stdout = new OutputStream();
  readonly stderr = new OutputStream();
  readonly stdin = null;
  private open = 2;
  private exited: [number | null, NodeJS.Signals | null] | undefined;

  /** @internal */ onFrame(kind: string, a: string, b?: string, data?: Buffer): void {
    switch (kind) {
      case 'P':
        this.pid = Number(a);
        this.emit('spawn');
        break;
      case 'E': {
        const code = ERRNO_NAMES.get(Number(a)) ?? `errno ${a}`;
        const err = Object.assign(new Error(`spawn ${this.file} ${code}`), { code, errno: -Number(a) });
        this.emit('error', err);
        break;
      }
      case 'O': {
        const s = a === '1' ? this.stdout : this.stderr;
        if (!s.destroyed) s.emit('data', data);
        break;
      }
      case 'C':
        this.open--;
        this.maybeClose();
        break;
      case 'X':
        this.exited = [a === '-' ? null : Number(a), b === '-' || b === undefined ? null : (SIGNAL_NAMES.get(Number(b)) ?? null)];
        this.emit('exit', ...this.exited);
        this.maybeClose();
        break;
    }
  }

  /**
   * The helper itself died. A command it had not started yet is started directly instead (its
   * events are passed on, so the caller sees one command). One it had started can no longer be
   * watched: its group is killed and it is reported as killed, which resume and undo handle
   * like any interrupted task.
   */
  /** @internal */ gone(): void {
    if (this.pid === undefined) {
      const c = spawnDirect(this.file, this.args as string[], { cwd: this.cwd, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout.on('data', (d: Buffer) => this.stdout.destroyed || this.stdout.emit('data', d));
      c.stderr.on('data', (d: Buffer) => this.stderr.destroyed || this.stderr.emit('data', d));
      c.on('spawn', () => {
        this.pid = c.pid;
        this.emit('spawn');
      });
      for (const ev of ['error', 'exit', 'close'] as const) c.on(ev, (...a: unknown[]) => this.emit(ev, ...a));
      return;
    }
    if (this.exited) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    this.exited = [null, 'SIGKILL'];
    this.emit('exit', null, 'SIGKILL');
    this.open = 0;
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.exited && this.open <= 0) this.emit('close', ...this.exited);
  }
}

class SpawnServer {
  private readonly jobs = new Map<number, HelperChild>();
  private nextId = 1;
  get running(): number {
    return this.jobs.size;
  }
  get pid(): number | undefined {
    return this.proc.pid;
  }
  private buf: Buffer = Buffer.alloc(0);
  dead = false;

  constructor(private readonly proc: ChildProcess) {
    proc.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    proc.stderr!.resume(); // a dying perl's last words are not the user's business
    proc.on('exit', () => this.die());
    proc.on('error', () => this.die());
    proc.stdin!.on('error', () => this.die());
    this.idle();
  }

  spawn(file: string, args: readonly string[], cwd: string | undefined, env: NodeJS.ProcessEnv): HelperChild {
    const id = this.nextId++;
    const child = new HelperChild(file, args, cwd, env);
    this.jobs.set(id, child);
    if (this.jobs.size === 1) this.busy();
    const vars = Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => `${k}=${v}`);
    const payload = Buffer.from([file, cwd ?? '', String(args.length + 1), file, ...args, String(vars.length), ...vars].join('\0'));
    this.proc.stdin!.write(Buffer.concat([Buffer.from(`S ${id} ${payload.length}\n`), payload]));
    const forget = () => {
      this.jobs.delete(id);
      if (this.jobs.size === 0) this.idle();
    };
    child.once('close', forget);
    child.once('error', forget);
    return child;
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      const nl = this.buf.indexOf(10);
      if (nl < 0) return;
      const [kind, id, a, b] = this.buf.subarray(0, nl).toString('latin1').split(' ');
      let data: Buffer | undefined;
      let next = nl + 1;
      if (kind === 'O') {
        const len = Number(b);
        if (this.buf.length < next + len) return;
        data = this.buf.subarray(next, next + len);
        next += len;
        this.jobs.get(Number(id))?.onFrame(kind, a!, undefined, data);
      } else this.jobs.get(Number(id))?.onFrame(kind!, a!, b);
      this.buf = this.buf.subarray(next);
    }
  }

  /** No command running: the helper must not keep node alive. */
  private idle(): void {
    this.proc.unref();
    for (const s of [this.proc.stdout, this.proc.stderr, this.proc.stdin]) (s as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.proc.ref();
    for (const s of [this.proc.stdout, this.proc.stderr, this.proc.stdin]) (s as unknown as { ref?: () => void }).ref?.();
  }

  private die(): void {
    if (this.dead) return;
    this.dead = true;
    // From now on commands are spawned directly: a helper that died once is not trusted again.
    disabled = true;
    if (server === this) server = undefined;
    for (const child of this.jobs.values()) child.gone();
    this.jobs.clear();
  }
}

let server: SpawnServer | undefined;
let disabled = false;

/** The helper's pid while it runs (for tests and diagnostics). */
export function helperPid(): number | undefined {
  return server?.pid;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/**
 * Starts `file args` through the helper, or returns undefined when it cannot be used (no perl,
 * BOOTSTRAP_SPAWN=direct, not Linux or macOS, a NUL byte in an argument): then spawn directly.
 */
export function spawnViaHelper(file: string, args: readonly string[], cwd: string | undefined, env: NodeJS.ProcessEnv): HelperChild | undefined {
  if (disabled || process.env.BOOTSTRAP_SPAWN === 'direct') return undefined;
  if (!server) {
    const perl = process.platform !== 'linux' && process.platform !== 'darwin' ? undefined : findOnPath('perl', process.env);
    if (!perl) {
      disabled = true;
      return undefined;
    }
    const proc = spawnDirect(perl, ['-e', HELPER], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { PATH: process.env.PATH ?? '' } });
    server = new SpawnServer(proc);
  }
  // select(2) in the helper handles fds below 1024: far more than any sane concurrency needs.
  if (server.running >= 256 || [file, cwd ?? '', ...args].some((s) => s.includes('\0'))) return undefined;
  return server.spawn(file, args, cwd, env);
}
