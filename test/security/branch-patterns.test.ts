import { monitorEventLoopDelay } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';
import { SECRETS } from '../helpers/test-slipway.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// Issue 14, point 8: a branch name is chosen by whoever types `/deploy` or pushes. Matched against a
// pattern with many stars by a backtracking regex, a long one stalled the event loop for everyone.
const REPO = 'https://git.example.com/acme/patterns.git';
const MANY_STARS = '*a*a*a*a*a*a*a*a*b';

// A config that names a repository nobody pushes to: only commands and webhooks reach this slipway.
const stack = useSlackStack({
  config: () => `
services:
  patterns:
    repo: ${REPO}
    image: 127.0.0.1:5000/sec-http-patterns
    channel: C0DEPLOYS
    branches:
      - { match: "${MANY_STARS}", deploy: staging }
      - { match: main, deploy: staging }
    environments:
      - { name: staging, port: 21130 }
`,
  mode: 'server',
});

/** Runs `act` with a /healthz request in flight, and answers the longest the event loop was held meanwhile. */
async function whileProbing<T>(act: () => Promise<T>): Promise<{ result: T; health: number; maxDelayMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  try {
    const health = fetch(`${stack.slipway.url}/healthz`).then((r) => r.status);
    const result = await act();
    return { result, health: await health, maxDelayMs: delay.max / 1e6 };
  } finally {
    delay.disable();
  }
}

describe('branch names against many-star patterns', { timeout: 120_000 }, () => {
  it('refuses /deploy of a 100 kB branch name with a clear message, and health checks keep answering', async () => {
    const branch = 'a'.repeat(100_000);
    const { result, health, maxDelayMs } = await whileProbing(() => stack.users.command('/deploy', branch, 'U0ANN', 'deploys'));
    expect(result.status).toBe(200);
    expect(result.json?.response_type).toBe('ephemeral');
    expect(result.json?.text).toContain('longer than any name slipway takes');
    expect(health).toBe(200);
    // Generous: the regex this replaces takes hours on this input; a single scan takes milliseconds.
    expect(maxDelayMs).toBeLessThan(2_000);
  });

  it('answers /deploy of a 255-character branch that almost matches the pattern (within the cap) at once', async () => {
    // Passes the length cap, so it reaches the matcher: all `a`s and no final `b`, the worst case for `^a.*a…b$`.
    const branch = 'a'.repeat(255);
    const { result, health, maxDelayMs } = await whileProbing(() => stack.users.command('/deploy', branch, 'U0ANN', 'deploys'));
    expect(result.status).toBe(200);
    expect(result.json?.text).toContain('has no route');
    expect(health).toBe(200);
    expect(maxDelayMs).toBeLessThan(2_000);
  });

  it('refuses /deploy naming a service or an environment longer than 63 characters', async () => {
    const env = await stack.users.command('/deploy', `main to ${'e'.repeat(64)}`, 'U0ANN', 'deploys');
    expect(env.json?.text).toContain('environment name is 64 characters long; slipway takes environment names of at most 63');
    const service = await stack.users.command('/deploy', `main ${'s'.repeat(64)}`, 'U0ANN', 'deploys');
    expect(service.json?.text).toContain('service name is 64 characters long; slipway takes service names of at most 63');
  });

  it('refuses a signed push whose branch is longer than 255 characters, and answers one within the cap at once', async () => {
    const push = async (branch: string) => {
      const payload = pushPayload('github', { repoUrl: REPO, ref: `refs/heads/${branch}`, after: 'c'.repeat(40) });
      payload.repository.full_name = 'acme/patterns';
      const body = JSON.stringify(payload);
      const res = await fetch(`${stack.slipway.url}/webhooks/github`, { method: 'POST', body, headers: deliveryHeaders('github', body, SECRETS.GITHUB_WEBHOOK_SECRET) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const long = await whileProbing(() => push('a'.repeat(100_000)));
    expect(long.result.status).toBe(400);
    expect(String(long.result.json.error)).toContain('at most 255 characters');
    const within = await whileProbing(() => push('a'.repeat(255)));
    expect(within.result.status).toBeLessThan(500);
    for (const probe of [long, within]) {
      expect(probe.health).toBe(200);
      expect(probe.maxDelayMs).toBeLessThan(2_000);
    }
  });
});
