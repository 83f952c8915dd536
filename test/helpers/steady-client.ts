import { EventEmitter } from 'node:events';
import { Agent, get } from 'node:http';

/** What a steady client saw: the figures the blue/green test asserts and the benchmark reports. */
export type SteadyFigures = {
  /** Requests sent, retries included. */
  sent: number;
  /** 200 answers. */
  answered: number;
  /** Requests that got no 200 answer (refused, reset, timed out, 502…), each once, after its retry if it had one. */
  failures: string[];
  /** Requests sent again because a kept-alive connection was closed before any answer came. */
  retries: number;
  /** The bodies of the 200 answers, each run of the same body once: the versions served, in order. */
  versions: string[];
  /** When each of `versions` was first answered, in ms since the epoch. */
  versionTimes: number[];
  /** For each change of version, the time from the last answer before it to the first of the new version. */
  switchGapsMs: number[];
  /** The longest time from one 200 answer to the next: how long the address served nothing. */
  longestGapMs: number;
  /** Every gap between two 200 answers longer than `noteGapsOverMs`, in ms since the epoch (comparable across processes). */
  gaps: { from: number; to: number }[];
};

export type SteadyClientOptions = {
  /** One kept-alive connection reused for every request, or a new connection each time. */
  keepAlive: boolean;
  path?: string;
  /**
   * After a failed request, wait this long before the next: a port that refuses connections would otherwise turn
   * the client into a busy loop taking the CPU the deploy needs. A request that succeeds is followed at once.
   */
  pauseAfterFailureMs?: number;
  timeoutMs?: number;
  noteGapsOverMs?: number;
};

/** Milliseconds since the epoch, with performance.now()'s resolution. */
export const epochMs = () => performance.timeOrigin + performance.now();

/** What the deploy loop needs of a client, in this process or another (bench/client-process.ts). */
export type RequestClient = {
  /** Resolves once the client gets a 200 answer of `version` after this call; rejects after `ms`. */
  until(version: string, ms?: number): Promise<void>;
  /** Stops after the request in flight and answers the figures. */
  stop(): Promise<SteadyFigures>;
};

type Attempt = { ok: true; body: string } | { ok: false; why: string; retryable: boolean };

/**
 * A client sending GET requests to 127.0.0.1:port one after another without pause, as a busy user of the
 * environment would. It resends a request only as HTTP allows and browsers, curl and Go do (RFC 9112 §9.3.1):
 * once, on a new connection, when a kept-alive connection was closed before any byte of the answer came
 * (a proxy reloading its config closes idle connections, and a request can cross that close). Anything else
 * not answered 200 is a failure.
 */
export function steadyClient(port: number, { keepAlive, path = '/version', pauseAfterFailureMs = 10, timeoutMs = 5_000, noteGapsOverMs = 20 }: SteadyClientOptions): RequestClient & { figures: SteadyFigures } {
  const agent = keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
  const figures: SteadyFigures = { sent: 0, answered: 0, failures: [], retries: 0, versions: [], versionTimes: [], switchGapsMs: [], longestGapMs: 0, gaps: [] };
  const events = new EventEmitter();
  let lastAnswerAt: number | undefined;
  let running = true;

  const attempt = () =>
    new Promise<Attempt>((resolve) => {
      figures.sent += 1;
      let answered = false;
      const req = get({ host: '127.0.0.1', port, path, agent, timeout: timeoutMs }, (res) => {
        answered = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(res.statusCode === 200 ? { ok: true, body: body.trim() } : { ok: false, why: `${res.statusCode} ${body.trim().slice(0, 80)}`, retryable: false }));
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, why: `answer cut: ${error.code ?? error.message}`, retryable: false }));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, why: error.code ?? error.message, retryable: req.reusedSocket && !answered }));
    });

  const note = (outcome: Attempt) => {
    if (!outcome.ok) {
      figures.failures.push(`${new Date().toISOString()} ${outcome.why}`);
      return;
    }
    const now = epochMs();
    const gap = lastAnswerAt === undefined ? undefined : now - lastAnswerAt;
    if (gap !== undefined) {
      figures.longestGapMs = Math.max(figures.longestGapMs, gap);
      if (gap > noteGapsOverMs) figures.gaps.push({ from: now - gap, to: now });
    }
    if (figures.versions.at(-1) !== outcome.body) {
      if (gap !== undefined) figures.switchGapsMs.push(gap);
      figures.versions.push(outcome.body);
      figures.versionTimes.push(now);
    }
    lastAnswerAt = now;
    figures.answered += 1;
  };

  const loop = (async () => {
    while (running) {
      let outcome = await attempt();
      if (!outcome.ok && outcome.retryable) {
        figures.retries += 1;
        outcome = await attempt();
      }
      note(outcome);
      events.emit('answer');
      if (!outcome.ok) await new Promise((r) => setTimeout(r, pauseAfterFailureMs));
    }
  })();

  return {
    figures,
    until(version: string, ms = 30_000): Promise<void> {
      const answeredBefore = figures.answered;
      return new Promise((resolve, reject) => {
        const test = () => {
          if (figures.answered === answeredBefore || figures.versions.at(-1) !== version) return;
          clearTimeout(timer);
          events.off('answer', test);
          resolve();
        };
        const timer = setTimeout(() => {
          events.off('answer', test);
          reject(new Error(`127.0.0.1:${port} did not serve ${version} within ${ms / 1000} s: versions seen ${figures.versions.join(' → ')}; ${figures.failures.length} failures (${figures.failures.slice(-3).join('; ')})`));
        }, ms);
        events.on('answer', test);
      });
    },
    async stop(): Promise<SteadyFigures> {
      running = false;
      await loop;
      if (agent) agent.destroy();
      return figures;
    },
  };
}
