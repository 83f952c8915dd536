import { createConnection, createServer, type Server } from 'node:net';

/**
 * The registry on 127.0.0.1:5000 behind a slow link, on `port` (a free one unless given): what the engine
 * uploads is held back `delayMs` per chunk, so a push lasts long enough to kill a worker in the middle of it.
 * Downloads (pulls) pass at full speed. Engines send the credentials of the address they push to: give them
 * this one's too (registry-credentials.ts dockerConfigWithAlias).
 */
export async function slowRegistry({ port = 0, delayMs = 40 } = {}): Promise<Server> {
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: 5000 });
    upstream.pipe(client);
    client.on('data', (chunk) => {
      client.pause();
      setTimeout(() => upstream.write(chunk, () => client.resume()), delayMs);
    });
    client.on('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}

export const portOf = (server: Server) => (server.address() as { port: number }).port;
