import { createConnection } from 'node:net';

/**
 * What any local process can do without a client library: open a TCP connection to a Redis port, send
 * inline commands and read the raw replies. Resolves with one reply line per command (errors included), or
 * with what came before the server closed the connection.
 */
export function rawRedis(port: number, commands: readonly string[], host = '127.0.0.1'): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host });
    let answer = '';
    const lines = () => answer.split('\r\n').filter((line) => /^[-+:$*]/.test(line));
    const done = () => {
      socket.destroy();
      resolve(lines());
    };
    socket.setTimeout(10_000, done);
    socket.once('connect', () => socket.write(commands.map((c) => `${c}\r\n`).join('')));
    socket.on('data', (data) => {
      answer += data.toString();
      if (lines().length >= commands.length) done();
    });
    socket.once('end', done);
    socket.once('error', reject);
  });
}
