import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCOUNTS_REPO, SECRETS, startTestSlipway, type TestSlipway } from '../helpers/test-slipway.js';
import { deliveryHeaders, pushPayload } from '../helpers/webhook-deliveries.js';

// What must hold whatever order and however often a git host delivers: one run per push, never a run for a
// commit older than one already pushed to the branch (unless pushed on purpose from the newest), nothing lost.
let slipway: TestSlipway;

beforeAll(async () => {
  slipway = await startTestSlipway(); // server only: runs stay queued, so every one can be counted
});
afterAll(async () => {
  await slipway?.stop();
});

const sha = () => randomUUID().replace(/-/g, '').padEnd(40, '0');

async function deliver(branch: string, before: string, after: string, deliveryId = randomUUID()) {
  const payload = pushPayload('gogs', { repoUrl: DISCOUNTS_REPO, ref: `refs/heads/${branch}`, after });
  payload.before = before;
  const body = JSON.stringify(payload);
  const res = await fetch(`${slipway.url}/webhooks/gogs`, { method: 'POST', body, headers: deliveryHeaders('gogs', body, SECRETS.GOGS_WEBHOOK_SECRET, { deliveryId }) });
  return { status: res.status, body: (await res.json()) as { status: string; runId?: string; reason?: string } };
}

const runsOn = async (branch: string) => (await slipway.runs.listByService('discounts', 10_000)).filter((r) => r.branch === branch);

describe('duplicate and out-of-order deliveries', { timeout: 120_000 }, () => {
  it('starts one run for one delivery sent ten times at once', async () => {
    const deliveryId = randomUUID();
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver('main', sha(), 'c'.repeat(40), deliveryId)));
    expect(new Set(answers.map((a) => a.body.runId)).size).toBe(1);
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect((await runsOn('main')).filter((r) => r.sha === 'c'.repeat(40))).toHaveLength(1);
  });

  it('ignores a late delivery of an older push, saying why, and takes a force-push back to it', async () => {
    const [x, a, b] = [sha(), sha(), sha()];
    const newer = await deliver('dev/feature-late', a, b);
    expect(newer.status).toBe(202);
    const late = await deliver('dev/feature-late', x, a);
    expect(late).toEqual({
      status: 200,
      body: { status: 'ignored', reason: `${a.slice(0, 7)} is older than ${b.slice(0, 7)}, already pushed to dev/feature-late (run ${newer.body.runId}): a late delivery is not deployed over it` },
    });
    expect((await runsOn('dev/feature-late')).map((r) => r.sha)).toEqual([b]);

    const back = await deliver('dev/feature-late', b, a); // git push --force to the older commit: meant
    expect(back.status).toBe(202);
    expect((await runsOn('dev/feature-late')).map((r) => r.sha).sort()).toEqual([a, b].sort());
  });

  it('never goes back along a branch when a push arrives late, or a whole chain arrives in reverse', async () => {
    let n = 0;
    const chain = (length: number) => Array.from({ length: length + 1 }, sha); // shas[i] → shas[i + 1] is push i
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }).chain((length) => fc.tuple(fc.constant(length), fc.nat({ max: length - 2 }))), async ([length, late]) => {
        const branch = `dev/feature-late-${(n += 1)}`;
        const shas = chain(length);
        for (let i = 0; i < length; i += 1) if (i !== late) expect((await deliver(branch, shas[i]!, shas[i + 1]!)).status).toBe(202);
        expect((await deliver(branch, shas[late]!, shas[late + 1]!)).body.status).toBe('ignored');
        expect((await runsOn(branch)).map((r) => shas.indexOf(r.sha)).sort((p, q) => p - q)).toEqual([...Array(length).keys()].filter((i) => i !== late).map((i) => i + 1));
      }),
      { numRuns: 25 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), async (length) => {
        const branch = `dev/feature-reverse-${(n += 1)}`;
        const shas = chain(length);
        for (let i = length - 1; i >= 0; i -= 1) await deliver(branch, shas[i]!, shas[i + 1]!);
        expect((await runsOn(branch)).map((r) => r.sha)).toEqual([shas[length]]);
      }),
      { numRuns: 15 },
    );
  });
});
