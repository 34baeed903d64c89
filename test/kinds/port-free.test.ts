import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runProcess } from '../../runner/process.js';
import { createTaskContext } from '../../tasks/context.js';
import { TaskError } from '../../tasks/kind.js';
import {
  describePortInUse,
  findPortHolder,
  findPortHolderProc,
  parseLsofFields,
  parseProcNetTcp,
  parseSs,
} from '../../tasks/lib/port-holder.js';
import { portFreeKind } from '../../tasks/port-free.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

function listen(host = '127.0.0.1', port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    servers.push(s);
    s.once('error', reject);
    s.listen(port, host, () => resolve((s.address() as net.AddressInfo).port));
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const ctx = () => createTaskContext({ taskId: 'port' });
const exec = (file: string, args: readonly string[]) => runProcess({ file, args, captureStdout: true, timeoutMs: 5000 });
const linux = process.platform === 'linux';

describe('port-free', () => {
  it('succeeds on a free port and outputs it', async () => {
    const port = await freePort();
    const r = await portFreeKind.run({ port }, ctx());
    expect(r.outputs).toEqual({ port, host: '127.0.0.1' });
  });

  it('fails on a port held by this process, naming its pid', async () => {
    const port = await listen();
    const err = await portFreeKind.run({ port, hint: 'free it or set registry_port' }, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskError);
    expect((err as TaskError).message).toMatch(new RegExp(`^port ${port} is in use by pid ${process.pid} \\(.*node.*\\); free it or set registry_port$`));
    expect((err as TaskError).hint).toContain(`kill ${process.pid}`);
  });

  it('a holder on the wildcard address also blocks 127.0.0.1', async () => {
    const port = await listen('0.0.0.0');
    const err = await portFreeKind.run({ port }, ctx()).catch((e: unknown) => e);
    expect((err as TaskError).message).toContain(`in use by pid ${process.pid}`);
  });
});

describe('port holder', () => {
  it.runIf(linux)('finds this process from /proc for an IPv4 listener', async () => {
    const port = await listen();
    const h = await findPortHolderProc(port);
    expect(h?.pid).toBe(process.pid);
    expect(h?.source).toBe('proc');
    expect(h?.uid).toBe(process.getuid!());
    expect(h?.command).toBe((await readFile(`/proc/${process.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean).join(' '));
  });

  it.runIf(linux)('finds this process from /proc/net/tcp6 for an IPv6 listener', async () => {
    let port: number;
    try {
      port = await listen('::1');
    } catch {
      throw new Error('IPv6 loopback (::1) is not available on this machine');
    }
    expect((await findPortHolder(port, exec))?.pid).toBe(process.pid);
  });

  it('returns null for a port nobody listens on', async () => {
    expect(await findPortHolder(await freePort(), exec)).toBeNull();
  });

  it('parses /proc/net/tcp LISTEN lines only', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1388 0100007F:D2A4 01 00000000:00000000 00:00000000 00000000  1000        0 5151 1 0000000000000000 20 4 30 10 -1',
      '   2: 00000000:1B58 00000000:0000 0A 00000000:00000000 00:00000000 00000000   501        0 6161 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(parseProcNetTcp(text, 5000)).toEqual([{ inode: 4242, uid: 0 }]);
    expect(parseProcNetTcp(text, 7000)).toEqual([{ inode: 6161, uid: 501 }]);
    expect(parseProcNetTcp(text, 80)).toEqual([]);
  });

  it('parses lsof -F and ss -p output', () => {
    expect(parseLsofFields('p1234\ncControlCenter\nf10\n')).toEqual({ pid: 1234, command: 'ControlCenter', source: 'lsof' });
    expect(parseLsofFields('')).toBeNull();
    const ss = [
      'LISTEN 0 4096 127.0.0.1:50000 0.0.0.0:* users:(("other",pid=1,fd=3))',
      'LISTEN 0 4096 0.0.0.0:5000 0.0.0.0:* users:(("docker-proxy",pid=4321,fd=4))',
    ].join('\n');
    expect(parseSs(ss, 5000)).toEqual({ pid: 4321, command: 'docker-proxy', source: 'ss' });
  });

  it('describes the holder, with the AirPlay advice on macOS for 5000/7000', () => {
    const proxy = { pid: 1234, command: 'docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 5000', source: 'proc' as const };
    expect(describePortInUse(5000, proxy, { platform: 'linux' })).toEqual({
      message: 'port 5000 is in use by pid 1234 (docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 5000)',
    });
    const mac = describePortInUse(5000, { pid: 77, command: '/System/Library/CoreServices/ControlCenter.app/Contents/MacOS/ControlCenter', source: 'lsof' }, { platform: 'darwin' });
    expect(mac.note).toContain('AirPlay Receiver');
    expect(describePortInUse(7000, null, { platform: 'darwin' }).note).toContain('AirDrop & Handoff');
    expect(describePortInUse(5000, proxy, { platform: 'darwin' }).note).toBeUndefined();
    expect(describePortInUse(8080, null, { platform: 'darwin' }).note).toBeUndefined();
    expect(describePortInUse(5000, { uid: 0, source: 'proc' }, { userName: 'root' }).message).toBe('port 5000 is in use by a process of user root (uid 0)');
  });
});
