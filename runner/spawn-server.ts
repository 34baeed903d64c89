/**
 * A spawn helper: one small long-lived process that forks and execs task commands for us.
 *
 * Why: `child_process.spawn` forks the whole node process (page tables of 60-200 MB) and blocks
 * the event loop until the child has exec'ed: ~2 ms per task here, half of a trivial task's cost
 * (bench/README.md). A small helper does it on the other core for a fraction of that. Two
 * helpers speak the same protocol:
 *   - Python (Linux, where `python3` is installed): `os.posix_spawn` starts commands the way
 *     make does (glibc's posix_spawn: vfork + exec, no page tables copied), ~0.07 ms of the
 *     helper's CPU per command against ~0.16 ms for subprocess.Popen and ~0.45 ms for a fork of
 *     the Perl helper.
 *   - Perl (perl-base is on every Debian/Ubuntu and macOS machine): fork + exec.
 * BOOTSTRAP_SPAWN=python|perl|direct picks one (a missing one falls back along that order;
 * python-popen is the Python helper with its subprocess.Popen fallback, for tests);
 * without either interpreter, or with `direct`, commands are spawned directly by node.
 *
 * Every command still gets what runner/process.ts promises: its own session and process group
 * (setsid: pgid = pid, so kill(-pid) reaches its whole tree), stdin from /dev/null, its exact
 * environment and cwd, stdout and stderr on their own pipes (read by the helper and forwarded
 * here, EOF included), and the exact exit code or terminating signal (waitpid).
 *
 * Protocol, on the helper's stdin/stdout:
 *   requests `B <len>\n` + len bytes: k=v... joined by NUL, the base environment from now on
 *            `S <id> <len>\n` + len bytes: file, cwd, argc, argv..., nset, k=v..., nunset, k...
 *            joined by NUL: the command's environment is the base with those set and unset
 *   replies  `P <id> <pid>\n` started · `E <id> <errno>\n` could not start (nothing runs)
 *            `O <id> <1|2> <len>\n` + len bytes of output · `C <id> <1|2>\n` that stream ended
 *            `X <id> <code|-> <signal number|->\n` reaped
 * Within one wake-up both pass output in fd order (a job's stdout pipe is made before its
 * stderr pipe), so output written to both before the helper woke up comes stdout first.
 * A request read after bootstrap has died (killed with requests still in the pipe) starts
 * nothing: the helper checks its parent before each start and exits when it has changed.
 */
import { spawn as spawnDirect, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { findOnPath, isExecutableFile } from './paths.js';

const PERL_HELPER = String.raw`
use strict; use POSIX ();
$SIG{PIPE} = 'IGNORE';
binmode STDIN; binmode STDOUT;
pipe(my $sigr, my $sigw) or die "pipe: $!";
$SIG{CHLD} = sub { syswrite($sigw, 'c') };
# %job: pid -> {id, out, err, xr, ok (exec confirmed), bad (exec failed), status (reaped first)}
my (%streams, %execs, %job, %base);
my $in = '';
# Requests still in the pipe when bootstrap dies must not start: nothing would watch them.
my $parent = getppid();
sub put { my ($s) = @_; my $o = 0;
  while ($o < length $s) { my $n = syswrite(STDOUT, $s, length($s) - $o, $o);
    if (!defined $n) { next if $!{EINTR}; POSIX::_exit(0) } $o += $n } }
sub reap { while ((my $p = waitpid(-1, POSIX::WNOHANG())) > 0) { my $st = $?; my $j = $job{$p} or next;
  $j->{status} = POSIX::WIFEXITED($st) ? POSIX::WEXITSTATUS($st) . ' -' : '- ' . POSIX::WTERMSIG($st);
  if ($j->{ok}) { put("X $j->{id} $j->{status}\n"); delete $job{$p} } elsif ($j->{bad}) { delete $job{$p} } } }
sub start { my ($id, $payload) = @_;
  POSIX::_exit(0) if getppid() != $parent;
  my @f = split /\0/, $payload, -1;
  my $file = shift @f; my $cwd = shift @f; my $argc = shift @f; my @argv = splice(@f, 0, $argc);
  my $nset = shift @f; my @set = splice(@f, 0, $nset); my $nunset = shift @f; my @unset = splice(@f, 0, $nunset);
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
    %ENV = (%base, map { split(/=/, $_, 2) } @set); delete @ENV{@unset};
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
    while ($in =~ /^([SB])(?: (\d+))? (\d+)\n/ && length($in) >= length($&) + $3) {
      my ($kind, $id, $len, $h) = ($1, $2, $3, length($&));
      my $payload = substr($in, $h, $len); $in = substr($in, $h + $len);
      if ($kind eq 'B') { %base = map { split(/=/, $_, 2) } grep { length } split(/\0/, $payload, -1) } else { start($id, $payload) } } }
}
`;

// Python 3: the same protocol. Commands start with os.posix_spawn (vfork + exec in glibc, exec
// errors reported back), half the CPU of subprocess.Popen per command; where it cannot give a
// new session (an old libc), Popen does it instead. Popen reports a failed exec or chdir as an
// OSError (its errno) too.
const PYTHON_HELPER = String.raw`
import os, select, errno, _signal as signal  # not the signal module: its enums cost ~6 ms of start-up
ep = select.epoll()
wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False); os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *a: None)
ep.register(wake_r, select.EPOLLIN)
ep.register(0, select.EPOLLIN)
ids = {}  # pid -> id, while it runs
procs = {}  # pid -> Popen, when Popen started it (it must not reap the command itself)
streams = {}  # fd -> (id, 1|2)
out = []  # frames of this wake-up, written at once at its end (one wake-up of node, not five)
def put(b): out.append(b)
def flush():
    v = memoryview(b''.join(out)); out.clear()
    while v:
        try: n = os.write(1, v)
        except InterruptedError: continue
        except OSError: os._exit(0)
        v = v[n:]
base = {}  # the environment a spawn's changes apply to (set by B frames)
parent = os.getppid()  # requests still in the pipe when bootstrap dies must not start
try: home = os.open('.', os.O_RDONLY)  # the cwd of commands without one (bootstrap's)
except OSError: home = None  # unreadable: such commands run where the last one did
# Python ignores SIGPIPE and SIGXFSZ; exec keeps ignored signals, so commands get them back.
DEFAULT_SIGNALS = [getattr(signal, n) for n in ('SIGPIPE', 'SIGXFSZ', 'SIGXFZ') if hasattr(signal, n)]
fast = hasattr(os, 'posix_spawn')
DEFAULT_PATH = os.defpath.encode()
def candidates(file, env):
    # As execvp does, on the command's own PATH (an empty entry is the cwd); '/' in the name:
    # that file only.
    if b'/' in file: return [file]
    return [os.path.join(d, file) for d in env.get(b'PATH', DEFAULT_PATH).split(b':')]
def posix_spawn(file, argv, cwd, env, w1, w2):
    if cwd: os.chdir(cwd)
    elif home is not None: os.fchdir(home)
    actions = [(os.POSIX_SPAWN_OPEN, 0, '/dev/null', os.O_RDONLY, 0), (os.POSIX_SPAWN_DUP2, w1, 1), (os.POSIX_SPAWN_DUP2, w2, 2)]
    err = None
    for c in candidates(file, env):
        if not os.access(c, os.X_OK):
            if err is None and os.path.exists(c): err = PermissionError(errno.EACCES, 'not executable')
            continue
        try: return os.posix_spawn(c, argv, env, file_actions=actions, setsid=True, setsigdef=DEFAULT_SIGNALS)
        except (PermissionError, FileNotFoundError, NotADirectoryError) as e:
            if err is None or not isinstance(err, PermissionError): err = e
    raise err or FileNotFoundError(errno.ENOENT, 'not found')
def popen(file, argv, cwd, env, w1, w2):
    import subprocess  # only here: importing it costs ~2 ms of every start-up
    if not cwd and home is not None: os.fchdir(home)
    p = subprocess.Popen(argv, executable=file, cwd=cwd or None, env=env, stdin=subprocess.DEVNULL,
                         stdout=w1, stderr=w2, start_new_session=True)
    procs[p.pid] = p
    return p.pid
def start(i, payload):
    global fast
    if os.getppid() != parent: os._exit(0)
    f = payload.split(b'\0')
    file, cwd, argc = f[0], f[1], int(f[2]); argv = f[3:3 + argc]
    k = 3 + argc; nset = int(f[k]); sets = f[k + 1:k + 1 + nset]; k += 1 + nset
    env = dict(base)
    for kv in sets:
        a, b = kv.split(b'=', 1); env[a] = b
    for u in f[k + 1:k + 1 + int(f[k])]: env.pop(u, None)
    o1, w1 = os.pipe(); o2, w2 = os.pipe()
    try:
        try:
            pid = posix_spawn(file, argv, cwd, env, w1, w2) if fast else popen(file, argv, cwd, env, w1, w2)
        except (NotImplementedError, TypeError, AttributeError):
            fast = False  # no POSIX_SPAWN_SETSID here
            pid = popen(file, argv, cwd, env, w1, w2)
    except OSError as e:
        os.close(o1); os.close(o2)
        put(b'E %d %d\n' % (i, e.errno or 22)); return
    except Exception:
        os.close(o1); os.close(o2)
        put(b'E %d 22\n' % i); return
    finally:
        os.close(w1); os.close(w2)
    put(b'P %d %d\n' % (i, pid))
    ids[pid] = i
    streams[o1] = (i, 1); ep.register(o1, select.EPOLLIN)
    streams[o2] = (i, 2); ep.register(o2, select.EPOLLIN)
def reap():
    # Every child of this helper is a command it started: reap whichever have ended.
    while True:
        try: pid, st = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError: return
        if pid == 0: return
        i = ids.pop(pid, None)
        if i is None: continue
        p = procs.pop(pid, None)
        if p: p.returncode = -os.WTERMSIG(st) if os.WIFSIGNALED(st) else os.WEXITSTATUS(st)  # Popen must not wait again
        put(b'X %d - %d\n' % (i, os.WTERMSIG(st)) if os.WIFSIGNALED(st) else b'X %d %d -\n' % (i, os.WEXITSTATUS(st)))
buf = b''
while True:
    ready = sorted(fd for fd, _ in ep.poll())
    if wake_r in ready:
        try:
            while os.read(wake_r, 512): pass
        except BlockingIOError: pass
        reap()
    for fd in ready:
        s = streams.get(fd)
        if s is None: continue
        d = os.read(fd, 65536)
        if d: put(b'O %d %d %d\n' % (s[0], s[1], len(d))); put(d)
        else:
            ep.unregister(fd); del streams[fd]; os.close(fd); put(b'C %d %d\n' % s)
    if 0 in ready:
        d = os.read(0, 65536)
        if not d: flush(); os._exit(0)
        buf += d
        while True:
            nl = buf.find(b'\n')
            if nl < 0: break
            head = buf[:nl].split(b' ')
            end = nl + 1 + int(head[-1])
            if len(buf) < end: break
            payload = buf[nl + 1:end]; buf = buf[end:]
            if head[0] == b'B': base = dict(kv.split(b'=', 1) for kv in payload.split(b'\0') if kv)
            else: start(int(head[1]), payload)
    if out: flush()
`;

/** The helper's choice of posix_spawn; python-popen replaces it (the process tests show it did). */
const FAST_LINE = "fast = hasattr(os, 'posix_spawn')";

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
  /** The environment the helper applies a spawn's changes to (undefined: none sent yet). */
  private base: Map<string, string> | undefined;
  dead = false;

  constructor(private readonly proc: ChildProcess) {
    proc.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    proc.stderr!.resume(); // a dying helper's last words are not the user's business
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
    const delta = this.changes(env);
    // Without changes to send (the first command, or one far from the base), env becomes the base.
    const head = delta ? '' : this.setBase(env);
    const { set, unset } = delta ?? { set: [], unset: [] };
    const payload = Buffer.from([file, cwd ?? '', String(args.length + 1), file, ...args, String(set.length), ...set, String(unset.length), ...unset].join('\0'));
    this.proc.stdin!.write(Buffer.concat([Buffer.from(`${head}S ${id} ${payload.length}\n`), payload]));
    const forget = () => {
      this.jobs.delete(id);
      if (this.jobs.size === 0) this.idle();
    };
    child.once('close', forget);
    child.once('error', forget);
    return child;
  }

  /**
   * A command's environment as changes to the helper's base environment: most commands of a run
   * differ from it in a handful of variables (BOOTSTRAP_TASK, the task's env...), so a spawn
   * request carries those rather than the ~40 of the whole environment. Undefined when there is
   * no base yet, or more than 16 changes (then `env` is sent as the new base).
   */
  private changes(env: NodeJS.ProcessEnv): { set: string[]; unset: string[] } | undefined {
    const base = this.base;
    if (!base) return undefined;
    const set: string[] = [];
    const unset: string[] = [];
    for (const k in env) {
      const v = env[k];
      if (v !== undefined && base.get(k) !== v) set.push(`${k}=${v}`);
    }
    for (const k of base.keys()) if (env[k] === undefined) unset.push(k);
    return set.length + unset.length > 16 ? undefined : { set, unset };
  }

  /** Makes `env` the helper's base environment; returns the frame that says so (sent first). */
  private setBase(env: NodeJS.ProcessEnv): string {
    this.base = new Map();
    const vars: string[] = [];
    for (const k in env) {
      const v = env[k];
      if (v === undefined) continue;
      this.base.set(k, v);
      vars.push(`${k}=${v}`);
    }
    const payload = vars.join('\0');
    return `B ${Buffer.byteLength(payload)}\n${payload}`;
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

  /** Closes the helper's stdin: it exits once it has read what was asked of it. */
  release(): void {
    const stdin = this.proc.stdin!;
    // Nothing left to send: close the pipe now, so the helper exits while bootstrap closes its
    // journal and writes its report (end() would close it only once that synchronous work is done).
    if (stdin.writableLength === 0) stdin.destroy();
    else stdin.end();
  }

  /** Resolves when the helper has exited and been reaped (or after `ms`). */
  exited(ms: number): Promise<void> {
    if (this.dead || this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.proc.ref();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.proc.once('exit', done);
    });
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
    // (One let go by resetSpawnHelper is no longer the helper.)
    if (server === this) {
      server = undefined;
      disabled = true;
    }
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

/** The helper to start: an interpreter and its arguments, or undefined (spawn directly). */
function helperCommand(): [string, string[]] | undefined {
  const want = process.env.BOOTSTRAP_SPAWN;
  if (want === 'direct' || (process.platform !== 'linux' && process.platform !== 'darwin')) return undefined;
  // An interpreter is never taken from the working directory (an empty PATH entry).
  const PATH = (process.env.PATH ?? '').split(':').filter(Boolean).join(':');
  const find = (name: string) => (PATH ? findOnPath(name, PATH) : undefined);
  // Not on macOS: there /usr/bin/python3 may be a stub that offers to install developer tools.
  if (process.platform === 'linux' && want !== 'perl') {
    const python = isExecutableFile('/usr/bin/python3') ? '/usr/bin/python3' : find('python3');
    // python-popen: the Popen fallback of a libc without POSIX_SPAWN_SETSID (for tests).
    if (python) return [python, ['-I', '-S', '-c', want === 'python-popen' ? PYTHON_HELPER.replace(FAST_LINE, 'fast = False') : PYTHON_HELPER]];
  }
  const perl = find('perl');
  return perl ? [perl, ['-e', PERL_HELPER]] : undefined;
}

/**
 * Lets the helper go (it exits when its stdin closes; commands it started are reported killed,
 * as when it dies) and forgets any earlier failure: the next command starts a new helper, chosen
 * by BOOTSTRAP_SPAWN again. For tests.
 */
export function resetSpawnHelper(): void {
  const s = server;
  server = undefined;
  disabled = false;
  s?.release();
}

/**
 * At the end of a run or undo: lets the helper go and waits (at most `ms`) until it has exited,
 * so no helper outlives bootstrap and the CPU time of the helper and of every command it reaped
 * is counted among this process's children (as `time` or a CI's accounting shows it).
 */
export async function stopSpawnHelper(ms = 2000): Promise<void> {
  const s = server;
  if (!s) return;
  server = undefined;
  s.release();
  await s.exited(ms);
}

/** Starts the helper now, so that its start-up overlaps the playbook's loading. */
export function startSpawnHelper(): void {
  if (server || disabled) return;
  const cmd = helperCommand();
  if (!cmd) {
    disabled = true;
    return;
  }
  const proc = spawnDirect(cmd[0], cmd[1], { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { PATH: process.env.PATH ?? '' } });
  server = new SpawnServer(proc);
}

/**
 * Starts `file args` through the helper, or returns undefined when it cannot be used (no
 * interpreter, BOOTSTRAP_SPAWN=direct, not Linux or macOS, a NUL byte in an argument): then
 * spawn directly.
 */
export function spawnViaHelper(file: string, args: readonly string[], cwd: string | undefined, env: NodeJS.ProcessEnv): HelperChild | undefined {
  if (disabled || process.env.BOOTSTRAP_SPAWN === 'direct') return undefined;
  startSpawnHelper();
  if (!server) return undefined;
  // select(2) in the Perl helper handles fds below 1024: far more than any sane concurrency needs.
  if (server.running >= 256 || [file, cwd ?? '', ...args].some((s) => s.includes('\0'))) return undefined;
  return server.spawn(file, args, cwd, env);
}
