import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { caddyProxy } from '../../src/adapters/proxy/caddy-proxy.js';
import { reloadResetsConnections } from '../../src/adapters/proxy/reload-resets-connections.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { deployLoop } from '../helpers/deploy-loop.js';
import { until } from '../helpers/run-watch.js';
import { sampleConfig } from '../helpers/sample-config.js';
import { useSlackStack } from '../helpers/slack-stack.js';
import { steadyClient, type SteadyFigures } from '../helpers/steady-client.js';

// Ports of this file: 23800-23899 (bench/blue-green.ts has 23900-23999). `bg` answers on 23800 (the proxy) with
// slots 23801/23802; `checked` on 23810 with slots 23811/23812.
const BG = { port: 23800, slots: [23801, 23802] };
const CHECKED = { port: 23810, slots: [23811, 23812] };
const BOB = 'U0BOB';

// Two services on the one sample repository: `bg` deploys main, `checked` (with a synthetic check) its own branch.
const blueGreen = ({ port, slots }: { port: number; slots: number[] }) => ({ port, strategy: 'blue-green', slots, drainSeconds: 1 });
const config = (repoUrl: string) =>
  sampleConfig(
    { service: 'bg', repoUrl, image: 'slipway-e2e-blue-green', channels: ['#deploys'], approvers: { users: [BOB] }, staging: blueGreen(BG) },
    {
      service: 'checked',
      repoUrl,
      image: 'slipway-e2e-blue-green-checked',
      branches: [{ match: 'checked', deploy: 'staging' }],
      staging: {
        ...blueGreen(CHECKED),
        synthetics: [{ type: 'http', name: 'build info', path: '/cgi-bin/info', jsonField: { path: 'build.version', equals: 1 } }],
      },
    },
  );

const stack = useSlackStack({ config });
const docker = dockerClient(process.env.DOCKER_HOST);

/** The containers a service has on the engine, running or not, by name. */
async function containersOf(service: string) {
  const found = await docker.listContainers({ all: true, filters: { label: [`slipway.service=${service}`] } });
  return found.map((c) => ({ name: c.Names[0]!.replace(/^\//, ''), image: c.Image, running: c.State === 'running' }));
}

/** The admin API of the Caddy slipway started, as its log names it. */
function embeddedCaddyAdmin(): string {
  const line = stack.slipway.logs.find((l) => l.msg.includes('started an embedded Caddy'));
  if (!line) throw new Error('slipway did not say it started an embedded Caddy');
  return String(line.admin);
}

afterAll(async () => {
  // The embedded Caddy keeps its routes across restarts: leave none of ours in it (runs before the stack stops).
  const proxy = caddyProxy(embeddedCaddyAdmin());
  await proxy.remove('bg-staging');
  await proxy.remove('checked-staging');
});

describe('blue/green through the Caddy slipway starts', { timeout: 300_000 }, () => {
  it('answers every request through 5 deploys, an unhealthy one and a rollback, switching version once for each', async () => {
    const resets = await reloadResetsConnections();
    if (resets) throw new Error(`${resets}. scripts/services.sh sets it when run as root, as the test setup runs it.`);
    expect(embeddedCaddyAdmin()).toMatch(/^unix:\/\/.*\/admin\.sock$/);
    const logs = new RedisLogStore(stack.slipway.redis);
    let live: { name: string; image: string } | undefined;

    const result = await deployLoop(stack, { service: 'bg', environment: 'staging', port: BG.port, approver: BOB, channel: 'deploys' }, {
      async onStep(step) {
        // Only the release serving is left: the one traffic left is drained and stopped (after the run, which does
        // not wait for it), and an unhealthy one was removed without ever taking traffic.
        const containers = await until(
          async () => {
            const found = await containersOf('bg');
            return found.length === 1 ? found : undefined;
          },
          `the release left by ${step.kind} ${step.version} to be stopped, leaving one bg container`,
          120_000,
        );
        expect(containers, `${step.kind} ${step.version}`).toHaveLength(1);
        const serving = containers[0]!;
        expect(serving.running).toBe(true);
        expect(serving.name).toMatch(/^bg-staging-(blue|green)$/);
        const deployLog = async () => (await logs.read(step.run.id, 'deploy:staging')).join('\n');
        if (step.kind === 'unhealthy') {
          expect(serving, 'an unhealthy release leaves traffic where it was').toMatchObject(live!);
          expect(await deployLog()).toContain(`traffic never left ${live!.name}`);
          return;
        }
        expect(serving.image).toBe(`127.0.0.1:5000/slipway-e2e-blue-green@${step.run.release!.digest}`);
        if (live) expect(serving.name, `${step.kind} to ${step.version} takes the other slot`).not.toBe(live.name);
        const left = serving.name.endsWith('-blue') ? 'bg-staging-green' : 'bg-staging-blue';
        const retired = await until(async () => ((await deployLog()).includes(`stopped ${left}`) ? deployLog() : undefined), `"stopped ${left}" in the deploy log`, 60_000);
        expect(retired).toContain(`draining ${left} for 1 s`);
        live = { name: serving.name, image: serving.image };
      },
    });

    expect(result.expected).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r4']);
    for (const { name, figures } of result.clients) {
      expect(figures.failures, name).toEqual([]);
      expect(figures.versions, name).toEqual(result.expected);
      expect(figures.versions, name).not.toContain(result.unhealthy);
      expect(figures.answered, name).toBeGreaterThan(100);
      // A kept-alive connection may be closed under a request at each of the 6 switches; a new one never is.
      expect(figures.retries, name).toBeLessThanOrEqual(name.startsWith('kept-alive') ? 6 : 0);
    }
  });

  // After the test above: its pushes put main in the repository, which a checkout compares a branch with.
  it('puts traffic back on the previous release when synthetics fail, and removes the new one, with no request failing', async () => {
    await stack.repo.checkout('checked', { create: true });
    const version = (v: string, build: number) => ({ 'www/version': `${v}\n`, 'www/healthz': 'ok\n', 'www/info.json': `{"status":"ok","build":{"version":${build}}}\n` });
    // Pages that take a while (busybox httpd runs them as CGI): the check takes a second, so traffic stays on the
    // new release that long, and a slow request is still in flight to it when traffic goes back.
    const cgi = (seconds: number, file: string, type: string) => `#!/bin/sh\nsleep ${seconds}\necho "Content-Type: ${type}"\necho\ncat /app/www/${file}\n`;
    await stack.repo.commit({ ...version('c1', 1), 'www/cgi-bin/info': cgi(1, 'info.json', 'application/json'), 'www/cgi-bin/slow': cgi(0.5, 'version', 'text/plain') }, 'Checked c1');
    await Promise.all(['info', 'slow'].map((page) => chmod(join(stack.repo.dir, 'work', 'www', 'cgi-bin', page), 0o755)));
    await stack.repo.commit({}, 'CGI pages are programs');
    const first = await stack.watch.settled((await stack.repo.push('checked')).runId!);
    expect(first.status, first.failure?.cause).toBe('passed');
    const [kept] = await containersOf('checked');

    const clients = [
      steadyClient(CHECKED.port, { keepAlive: true }),
      steadyClient(CHECKED.port, { keepAlive: false }),
      steadyClient(CHECKED.port, { keepAlive: false, path: '/cgi-bin/slow' }),
      steadyClient(CHECKED.port, { keepAlive: true, path: '/cgi-bin/slow' }),
    ];
    let seen: SteadyFigures[];
    try {
      await Promise.all(clients.map((client) => client.until('c1')));
      // Healthy, but its build info says 2: the check fails once traffic has moved to it.
      await stack.repo.commit(version('c2', 2), 'Checked c2');
      const run = await stack.watch.settled((await stack.repo.push('checked')).runId!);
      expect(run.status).toBe('failed');
      expect(run.failure?.stage).toBe('synthetics:staging');
      expect(run.failure?.cause).toMatch(/^0\/1 passed; failed: build info .*; staging is back on checked-[0-9a-f]{7}$/);
      // The failed release finishes the requests it had taken before it goes.
      const failedSlot = kept!.name.endsWith('-blue') ? 'checked-staging-green' : 'checked-staging-blue';
      const swapLog = (await new RedisLogStore(stack.slipway.redis).read(run.id, 'synthetics:staging')).join('\n');
      expect(swapLog).toContain(`sends traffic to ${kept!.name} again\ndraining ${failedSlot} for 1 s\nremoved ${failedSlot}`);
      await Promise.all(clients.map((client) => client.until('c1')));
    } finally {
      seen = await Promise.all(clients.map((client) => client.stop()));
    }
    for (const [i, figures] of seen.entries()) {
      expect(figures.failures, `client ${i}`).toEqual([]);
      // Each saw c2 for the moment it served (if it asked then), then c1 again.
      expect(figures.versions.join(' '), `client ${i}`).toMatch(/^c1( c2 c1)?$/);
    }
    expect(await containersOf('checked')).toEqual([kept]);
  });
});
