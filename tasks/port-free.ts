/**
 * `port-free`: fails when a TCP port is already taken, naming the process that holds it where
 * possible (Linux /proc, then `lsof`/`ss`), so the user can free it before a cluster or a
 * registry tries to bind it.
 *
 * ```yaml
 * port:
 *   uses: port-free
 *   with: { port: "${{ vars.registry_port }}", hint: free it or set registry_port }
 * ```
 */
import net from 'node:net';
import { TaskError, type TaskKind } from './kind.js';
import { describePortInUse, findPortHolder, userNameOf } from './lib/port-holder.js';

/** `with` of `port-free`. */
export interface PortFreeWith {
  port: number;
  /** Address to test. Default 127.0.0.1. */
  host?: string;
  /** Advice appended to the error. Default "free it or use another port". */
  hint?: string;
}

const DEFAULT_HINT = 'free it or use another port';

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['port'],
  description: 'A TCP port that must be free.',
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'TCP port that must not be in use.' },
    host: {
      type: 'string',
      minLength: 1,
      description: 'Local address to test the port on. Default "127.0.0.1". On macOS the wildcard address is tested too.',
    },
    hint: {
      type: 'string',
      description: 'What the user can do when the port is taken, appended to the error, e.g. "free it or set registry_port". Default "free it or use another port".',
    },
  },
} as const;

type ListenResult = { ok: true } | { ok: false; code: string; message: string };

/** Tries to listen on host:port, then closes. */
export function tryListen(port: number, host: string): Promise<ListenResult> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, code: e.code ?? 'ERROR', message: e.message }));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve({ ok: true })));
  });
}

/** Checks that a TCP port is free, naming its holder when it is not. */
export const portFreeKind: TaskKind<PortFreeWith> = {
  name: 'port-free',
  description: 'Check that a TCP port is free, naming the process that holds it if not',
  schema,
  outputs: {
    port: { description: 'The port, now known to be free.' },
    host: { description: 'The address it was tested on.' },
  },

  async run(w, ctx) {
    const host = w.host ?? '127.0.0.1';
    const hint = w.hint ?? DEFAULT_HINT;
    // On macOS SO_REUSEADDR lets a loopback bind succeed beside a wildcard listener (AirPlay's
    // *:5000), while Docker's port publishing would still fail: test the wildcard too.
    const hosts = process.platform === 'darwin' && isLoopback(host) ? [host, '0.0.0.0'] : [host];
    for (const h of hosts) {
      const r = await tryListen(w.port, h);
      if (r.ok) continue;
      if (r.code === 'EADDRINUSE') {
        ctx.progress(`port ${w.port} is in use; looking for the process holding it`);
        const holder = await findPortHolder(w.port, (file, args) => ctx.exec(file, args, { quiet: true, timeoutMs: 5000 }));
        const userName = holder?.uid !== undefined && holder.pid === undefined ? await userNameOf(holder.uid) : undefined;
        const { message, note } = describePortInUse(w.port, holder, { userName });
        throw new TaskError(`${message}; ${hint}`, note ?? holderHint(w.port, holder?.pid));
      }
      if (r.code === 'EACCES') {
        ctx.log('warn', `cannot test port ${w.port} on ${h} without privileges (${r.message}); assuming it is free`);
        continue;
      }
      if (r.code === 'EADDRNOTAVAIL') {
        throw new TaskError(`cannot test port ${w.port}: ${h} is not an address of this machine`, 'set host to a local address such as 127.0.0.1', true);
      }
      throw new TaskError(`cannot test port ${w.port} on ${h}: ${r.message}`);
    }
    return { outputs: { port: w.port, host }, summary: `port ${w.port} is free` };
  },
};

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function holderHint(port: number, pid: number | undefined): string {
  if (pid !== undefined) return `stop that process (kill ${pid}), or use another port`;
  return process.platform === 'win32'
    ? `find the holder with: netstat -ano | findstr :${port}`
    : `find the holder with: sudo lsof -nP -iTCP:${port} -sTCP:LISTEN`;
}
