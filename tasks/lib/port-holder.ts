/**
 * Who listens on a TCP port? On Linux from /proc (no tools needed): LISTEN sockets of
 * /proc/net/tcp and tcp6 give the socket inode and owner uid, a scan of /proc/<pid>/fd finds
 * the process holding that inode, /proc/<pid>/cmdline its command. Where /proc cannot answer
 * (macOS, or another user's process without privileges) `lsof` and then `ss` are asked.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import type { ProcessResult } from '../../runner/process.js';

/** The process listening on a port, as far as it could be found. */
export interface PortHolder {
  pid?: number;
  /** Command line (or command name), when readable. */
  command?: string;
  /** Owner of the socket, when known (from /proc/net/tcp). */
  uid?: number;
  /** Where the answer came from. */
  source: 'proc' | 'lsof' | 'ss';
}

/** A LISTEN socket from /proc/net/tcp{,6}. */
export interface ProcListenSocket {
  inode: number;
  uid: number;
}

/** Runs a program (argv, no shell): the task context's `exec`, or a plain runner. */
export type ExecFn = (file: string, args: readonly string[]) => Promise<ProcessResult>;

const TCP_LISTEN = '0A';

/**
 * Parses the text of /proc/net/tcp or /proc/net/tcp6 and returns the LISTEN sockets on `port`
 * (any local address). Inode 0 entries (sockets being torn down) are skipped.
 */
export function parseProcNetTcp(text: string, port: number): ProcListenSocket[] {
  const out: ProcListenSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const local = f[1]!;
    const colon = local.lastIndexOf(':');
    if (colon < 0 || parseInt(local.slice(colon + 1), 16) !== port) continue;
    if (f[3]!.toUpperCase() !== TCP_LISTEN) continue;
    const inode = Number(f[9]);
    if (inode > 0) out.push({ inode, uid: Number(f[7]) });
  }
  return out;
}

/** Finds the pid whose file descriptors include `socket:[inode]` for one of `inodes`. */
export async function findPidBySocketInodes(inodes: readonly number[], procDir = '/proc'): Promise<number | undefined> {
  const wanted = new Set(inodes.map((i) => `socket:[${i}]`));
  let entries: string[];
  try {
    entries = await readdir(procDir);
  } catch {
    return undefined;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let fds: string[];
    try {
      fds = await readdir(`${procDir}/${name}/fd`);
    } catch {
      continue; // gone, or another user's process
    }
    for (const fd of fds) {
      try {
        if (wanted.has(await readlink(`${procDir}/${name}/fd/${fd}`))) return Number(name);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return undefined;
}

/** The command line of a pid from /proc (NUL-separated args joined by spaces). */
export async function procCmdline(pid: number, procDir = '/proc'): Promise<string | undefined> {
  try {
    const raw = await readFile(`${procDir}/${pid}/cmdline`, 'utf8');
    const cmd = raw.split('\0').filter(Boolean).join(' ');
    if (cmd) return cmd;
    return (await readFile(`${procDir}/${pid}/comm`, 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Linux: the holder from /proc, or null when /proc shows no LISTEN socket on the port. */
export async function findPortHolderProc(port: number, procDir = '/proc'): Promise<PortHolder | null> {
  const sockets: ProcListenSocket[] = [];
  for (const file of ['tcp', 'tcp6']) {
    try {
      sockets.push(...parseProcNetTcp(await readFile(`${procDir}/net/${file}`, 'utf8'), port));
    } catch {
      // no IPv6, or no /proc
    }
  }
  if (!sockets.length) return null;
  const pid = await findPidBySocketInodes(sockets.map((s) => s.inode), procDir);
  const holder: PortHolder = { source: 'proc', uid: sockets[0]!.uid };
  if (pid !== undefined) {
    holder.pid = pid;
    holder.command = await procCmdline(pid, procDir);
  }
  return holder;
}

/** Parses `lsof -nP -iTCP:<port> -sTCP:LISTEN -Fpc` output (`p1234` / `cnode` lines). */
export function parseLsofFields(text: string): PortHolder | null {
  let pid: number | undefined;
  let command: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('p') && pid === undefined) pid = Number(line.slice(1));
    else if (line.startsWith('c') && pid !== undefined && command === undefined) command = line.slice(1);
  }
  return pid === undefined || Number.isNaN(pid) ? null : { pid, command, source: 'lsof' };
}

/** Parses `ss -ltnpH` output: the first LISTEN line whose local address ends in `:<port>`. */
export function parseSs(text: string, port: number): PortHolder | null {
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const local = f.find((x, i) => i >= 3 && /:\d+$/.test(x));
    if (!local || !local.endsWith(`:${port}`)) continue;
    const m = /users:\(\("([^"]*)",pid=(\d+)/.exec(line);
    if (m) return { pid: Number(m[2]), command: m[1], source: 'ss' };
  }
  return null;
}

/**
 * Finds the process listening on `port`: /proc first on Linux, then `lsof`, then `ss` (each
 * only if installed). Returns what is known (perhaps only the owner uid), or null.
 */
export async function findPortHolder(port: number, exec: ExecFn, platform: NodeJS.Platform = process.platform): Promise<PortHolder | null> {
  let partial: PortHolder | null = null;
  if (platform === 'linux') {
    partial = await findPortHolderProc(port);
    if (partial?.pid !== undefined) return partial;
  }
  const lsof = await exec('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc']);
  if (!lsof.spawnError) {
    const h = parseLsofFields(lsof.stdout);
    if (h) return h;
  }
  if (platform === 'linux') {
    const ss = await exec('ss', ['-ltnpH']);
    if (!ss.spawnError) {
      const h = parseSs(ss.stdout, port);
      if (h) return h;
    }
  }
  return partial;
}

/** Options for {@link describePortInUse}. */
export interface DescribeOptions {
  platform?: NodeJS.Platform;
  /** User name of the holder's uid, when known. */
  userName?: string;
}

/**
 * The user-facing sentence about who holds a port, e.g.
 * `port 5000 is in use by pid 1234 (docker-proxy -proto tcp ...)`, plus, on macOS for ports
 * 5000 and 7000 held by ControlCenter or an unknown process, the AirPlay Receiver advice.
 */
export function describePortInUse(port: number, holder: PortHolder | null, opts: DescribeOptions = {}): { message: string; note?: string } {
  let who = '';
  if (holder?.pid !== undefined) {
    who = ` by pid ${holder.pid}${holder.command ? ` (${truncate(holder.command, 80)})` : ''}`;
  } else if (holder?.uid !== undefined) {
    who = ` by a process of ${opts.userName ? `user ${opts.userName} (uid ${holder.uid})` : `uid ${holder.uid}`}`;
  }
  const message = `port ${port} is in use${who}`;
  const platform = opts.platform ?? process.platform;
  const airplayCandidate = holder?.command === undefined || /ControlCe|AirPlay/i.test(holder.command);
  if (platform === 'darwin' && (port === 5000 || port === 7000) && airplayCandidate) {
    return {
      message,
      note: 'on macOS this is often the AirPlay Receiver (System Settings > General > AirDrop & Handoff > AirPlay Receiver)',
    };
  }
  return { message };
}

/** The user name of a uid from /etc/passwd, when readable. */
export async function userNameOf(uid: number): Promise<string | undefined> {
  try {
    for (const line of (await readFile('/etc/passwd', 'utf8')).split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === uid && f[2] !== '') return f[0];
    }
  } catch {
    // not a Unix system
  }
  return undefined;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
