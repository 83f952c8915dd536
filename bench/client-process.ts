import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { type RequestClient, steadyClient, type SteadyFigures } from '../test/helpers/steady-client.js';

/**
 * A steady client (test/helpers/steady-client.ts) in a process of its own, so the pauses of slipway's event loop
 * in the benchmark's process are not counted as gaps in what the environment served. Driven over IPC.
 */

const Request = z.discriminatedUnion('type', [
  z.object({ type: z.literal('until'), id: z.number(), version: z.string(), ms: z.number().optional() }),
  z.object({ type: z.literal('stop') }),
]);
const Reply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('until'), id: z.number(), error: z.string().optional() }),
  z.object({ type: z.literal('stopped'), figures: z.custom<SteadyFigures>() }),
]);

/** Starts the client in a child process: `until` and `stop` as the in-process client has them. */
export function clientProcess(port: number, keepAlive: boolean): RequestClient {
  const child = fork(fileURLToPath(import.meta.url), [String(port), String(keepAlive)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, { resolve(): void; reject(error: Error): void }>();
  let stopped: Promise<SteadyFigures> | undefined;
  let next = 0;
  const exited = new Promise<never>((_resolve, reject) => {
    child.once('exit', (code, signal) => {
      const error = new Error(`the client process for 127.0.0.1:${port} exited with ${signal ?? code}`);
      for (const pending of waiting.values()) pending.reject(error);
      reject(error);
    });
  });
  exited.catch(() => {});
  const replies: ((reply: z.infer<typeof Reply>) => void)[] = [];
  child.on('message', (message) => {
    const reply = Reply.parse(message);
    if (reply.type === 'until') {
      const pending = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (reply.error) pending?.reject(new Error(reply.error));
      else pending?.resolve();
    } else {
      for (const listener of replies.splice(0)) listener(reply);
    }
  });
  return {
    until(version, ms) {
      const id = (next += 1);
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ type: 'until', id, version, ms });
      });
    },
    stop() {
      stopped ??= Promise.race([
        new Promise<SteadyFigures>((resolve) => {
          replies.push((reply) => {
            if (reply.type === 'stopped') resolve(reply.figures);
          });
          child.send({ type: 'stop' });
        }),
        exited,
      ]);
      return stopped;
    },
  };
}

// In the child: run the client, answer the parent.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const send = (reply: z.infer<typeof Reply>, then?: () => void) => process.send!(reply, undefined, {}, () => then?.());
  // The benchmark gone (killed, crashed), there is no one to answer: stop sending.
  process.on('disconnect', () => process.exit(0));
  const client = steadyClient(Number(process.argv[2]), { keepAlive: process.argv[3] === 'true' });
  process.on('message', (message) => {
    const request = Request.parse(message);
    if (request.type === 'until') {
      client.until(request.version, request.ms).then(
        () => send({ type: 'until', id: request.id }),
        (error: Error) => send({ type: 'until', id: request.id, error: error.message }),
      );
    } else {
      void client.stop().then((figures) => send({ type: 'stopped', figures }, () => process.disconnect()));
    }
  });
}
