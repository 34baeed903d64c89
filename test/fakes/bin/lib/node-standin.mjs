/**
 * The "node container" of a fake kind cluster: a detached process that listens on every
 * extraPortMappings hostPort at its listenAddress (so the port is taken, as docker-proxy takes
 * it) and forwards each connection to where forward.json says the containerPort (a NodePort)
 * leads, i.e. the registry once the fake helm has "deployed" it. Without a target it resets the
 * connection, like a NodePort with no endpoints behind it.
 *
 * Usage: node node-standin.mjs <clusterDir>. Writes node.ready (or node.error) in that dir.
 * Stops on SIGTERM, when cluster.json disappears, or after $FAKE_NODE_TTL_MS (default 15 min);
 * it then also stops the registry recorded in registry.json.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const dir = process.argv[2];
const cluster = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
const servers = [];

function readJson(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  } catch {
    return undefined;
  }
}

function stopRegistry() {
  const reg = readJson('registry.json');
  if (reg?.pid) {
    try {
      process.kill(reg.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

let stopping = false;
function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  stopRegistry();
  for (const s of servers) s.close();
  process.exit(code);
}

function reset(socket) {
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

function onConnection(mapping, client) {
  const faults = readJson('faults.json') ?? {};
  const target = (readJson('forward.json') ?? {})[String(mapping.containerPort)];
  if (!target || faults.reset === 'all') return reset(client);
  const upstream = net.connect({ host: target.host, port: target.port });
  upstream.on('error', () => reset(client));
  client.on('error', () => upstream.destroy());
  client.on('data', (chunk) => {
    // Fault "post": uploads fail (the connection is reset on a POST request).
    if (faults.reset === 'post' && chunk.subarray(0, 5).toString('latin1') === 'POST ') {
      reset(client);
      upstream.destroy();
      return;
    }
    if (!upstream.write(chunk)) client.pause();
  });
  upstream.on('drain', () => client.resume());
  client.on('end', () => upstream.end());
  upstream.pipe(client);
}

async function main() {
  for (const m of cluster.ports ?? []) {
    const server = net.createServer((socket) => onConnection(m, socket));
    servers.push(server);
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: m.listenAddress, port: m.hostPort, exclusive: true }, resolve);
    }).catch((e) => {
      fs.writeFileSync(path.join(dir, 'node.error'), JSON.stringify({ code: e.code, message: e.message, listenAddress: m.listenAddress, hostPort: m.hostPort }));
      shutdown(1);
    });
  }
  fs.writeFileSync(path.join(dir, 'node.ready'), JSON.stringify({ pid: process.pid }));
  const ttl = Number(process.env.FAKE_NODE_TTL_MS ?? 15 * 60_000);
  setTimeout(() => shutdown(0), ttl).unref();
  setInterval(() => {
    if (!fs.existsSync(path.join(dir, 'cluster.json'))) shutdown(0);
  }, 300);
}

process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
main();
