import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GitHost } from '../../src/core/push-event.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';
import { SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';

// Issue 14, point 2 (second half): whoever administers one repository knows its webhook secret. With a
// secret per service, that secret signs pushes for that repository only.
const OWN = { ALPHA_WEBHOOK_SECRET: 'alpha-own-secret-21120', BRAVO_WEBHOOK_SECRET: 'bravo-own-secret-21121' };
const HOST_WIDE: Record<GitHost, string> = {
  github: SECRETS.GITHUB_WEBHOOK_SECRET,
  gogs: SECRETS.GOGS_WEBHOOK_SECRET,
  gitea: SECRETS.GOGS_WEBHOOK_SECRET,
  gitlab: SECRETS.GITLAB_WEBHOOK_TOKEN,
};
const repoUrl = (name: string) => `https://git.example.com/acme/${name}.git`;
const service = (name: string, port: number, own?: string) => `
  ${name}:
    repo: ${repoUrl(name)}
${own ? `    webhookSecretEnv: ${own}\n` : ''}    image: 127.0.0.1:5000/sec-http-${name}
    channel: C0DEPLOYS
    environments:
      - { name: staging, port: ${port} }`;
const CONFIG = `services:${service('alpha', 21120, 'ALPHA_WEBHOOK_SECRET')}${service('bravo', 21121, 'BRAVO_WEBHOOK_SECRET')}${service('charlie', 21122)}
`;

let slipway: TestSlipway;

beforeAll(async () => {
  slipway = await startTestSlipway({ config: CONFIG, processEnv: { ...OWN } });
}, 60_000);

afterAll(async () => {
  await slipway?.stop();
});

let counter = 0;

/** A push of a new commit to `repo`'s main, in `host`'s format, signed with `secret`. */
async function deliver(host: GitHost, repo: string, secret: string) {
  counter += 1;
  const payload = pushPayload(host, { repoUrl: repoUrl(repo), after: counter.toString(16).padStart(40, 'a') });
  if (host === 'gitlab') payload.project.path_with_namespace = `acme/${repo}`;
  else payload.repository.full_name = `acme/${repo}`;
  const body = JSON.stringify(payload);
  const res = await fetch(`${slipway.url}/webhooks/${host}`, { method: 'POST', body, headers: deliveryHeaders(host, body, secret) });
  return { status: res.status, json: (await res.json()) as { error?: string; runId?: string } };
}

const runsOf = async (name: string) => (await slipway.runs.listByService(name, 1000)).length;

describe('per-service webhook secrets', () => {
  it.each(['github', 'gitea', 'gitlab'] as const)('refuses a %s push for bravo signed by alpha’s admin with alpha’s secret, and starts nothing', async (host) => {
    const before = await runsOf('bravo');
    const answer = await deliver(host, 'bravo', OWN.ALPHA_WEBHOOK_SECRET);
    expect(answer.status).toBe(401);
    expect(answer.json.error).toContain('must be signed with BRAVO_WEBHOOK_SECRET');
    expect(await runsOf('bravo')).toBe(before);
  });

  it.each(['github', 'gogs', 'gitlab'] as const)('refuses a %s push for bravo signed with the host-wide secret', async (host) => {
    const before = await runsOf('bravo');
    const answer = await deliver(host, 'bravo', HOST_WIDE[host]);
    expect(answer.status).toBe(401);
    expect(answer.json.error).toContain('BRAVO_WEBHOOK_SECRET');
    expect(await runsOf('bravo')).toBe(before);
  });

  it('refuses a push for charlie (no secret of its own) signed with alpha’s secret', async () => {
    const answer = await deliver('github', 'charlie', OWN.ALPHA_WEBHOOK_SECRET);
    expect(answer.status).toBe(401);
    expect(answer.json.error).toContain('must be signed with GITHUB_WEBHOOK_SECRET');
  });

  it.each(['github', 'gitea', 'gitlab'] as const)('takes %s pushes signed the right way: each service’s own, and the host-wide one for charlie', async (host) => {
    for (const [repo, secret] of [['alpha', OWN.ALPHA_WEBHOOK_SECRET], ['bravo', OWN.BRAVO_WEBHOOK_SECRET], ['charlie', HOST_WIDE[host]]] as const) {
      const before = await runsOf(repo);
      const answer = await deliver(host, repo, secret);
      expect(answer, `${repo} on ${host}`).toMatchObject({ status: 202, json: { runId: expect.any(String) } });
      expect(await runsOf(repo)).toBe(before + 1);
    }
  });

  it('does not start when a service names a secret its environment does not hold', async () => {
    await expect(startTestSlipway({ config: CONFIG, processEnv: { ALPHA_WEBHOOK_SECRET: OWN.ALPHA_WEBHOOK_SECRET } })).rejects.toThrow(
      /services\.bravo\.webhookSecretEnv names BRAVO_WEBHOOK_SECRET, which is not set/,
    );
  });
});
