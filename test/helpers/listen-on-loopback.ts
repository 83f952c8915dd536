import type { Server } from 'node:http';

/** Starts `server` on 127.0.0.1:`port`; what it answers stops it, closing the connections it still holds. */
export async function listenOnLoopback(server: Server, port: number): Promise<() => Promise<void>> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}
