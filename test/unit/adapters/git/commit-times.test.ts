import { describe, expect, it } from 'vitest';
import { gitHosts } from '../../../../src/adapters/git/git-hosts.js';
import { GIT_HOSTS } from '../../../../src/core/git-hosts.js';
import { deliveryHeaders, pushPayload } from '../../../helpers/webhook-deliveries.js';

const SECRET = 'unit-secret';
const REPO = 'https://git.example.com/acme/discounts.git';

async function commitsOf(payload: Record<string, unknown>, host: (typeof GIT_HOSTS)[number]) {
  const body = JSON.stringify(payload);
  const received = await gitHosts[host]!.receive({ headers: deliveryHeaders(host, body, SECRET), body: Buffer.from(body) }, [{ value: SECRET, name: 'S' }]);
  if (received.kind !== 'push') throw new Error(`expected a push, got ${JSON.stringify(received)}`);
  return received.event.commits;
}

// Lead time to production starts at the commit: every host's push carries its time, kept as UTC ISO 8601.
describe.each(GIT_HOSTS)('%s push: commit times', (host) => {
  it('keeps each commit\'s timestamp as `at`, in UTC', async () => {
    const payload = pushPayload(host, { repoUrl: REPO });
    const commits = payload.commits as { timestamp?: string }[];
    commits[0]!.timestamp = '2026-11-20T10:12:44+01:00';
    const [first] = await commitsOf(payload, host);
    expect(first?.at).toBe('2026-11-20T09:12:44.000Z');
  });

  it('leaves `at` out when the timestamp is missing or unreadable', async () => {
    const payload = pushPayload(host, { repoUrl: REPO });
    const commits = payload.commits as { timestamp?: string }[];
    commits[0]!.timestamp = 'yesterday-ish';
    expect((await commitsOf(payload, host))[0]).not.toHaveProperty('at');
    delete commits[0]!.timestamp;
    expect((await commitsOf(payload, host))[0]).not.toHaveProperty('at');
  });
});
