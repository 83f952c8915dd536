import { describe, expect, it } from 'vitest';
import { APPROVER, commandHarness, DEVELOPER, digest, NOW } from './command-harness.js';

type Harness = ReturnType<typeof commandHarness>;

/** Two releases rolled back out of production: `b` first, then `c`, the latest. */
async function twoQuarantined(h: Harness) {
  for (const [c, at] of [['b', '2026-11-29T10:00:00Z'], ['c', '2026-11-30T10:00:00Z']] as const) {
    await h.ports.quarantines.add({ service: 'shop', environment: 'production', digest: digest(c), tag: `main-${c.repeat(7)}`, by: APPROVER, at, reason: 'rolled back by <@UAPPROVER>' });
  }
}

describe('/slipway unquarantine', () => {
  it.each([
    ['', 'main-ccccccc', ['main-bbbbbbb']],
    ['production', 'main-ccccccc', ['main-bbbbbbb']],
    ['shop production main-bbbbbbb', 'main-bbbbbbb', ['main-ccccccc']],
    ['main-bbbbbbb', 'main-bbbbbbb', ['main-ccccccc']],
  ])('"%s" lifts %s, says so in the channel and records it', async (text, lifted, left) => {
    const h = commandHarness();
    await twoQuarantined(h);

    const reply = await h.invoke('/slipway', `unquarantine ${text}`, APPROVER);

    expect(reply).toEqual({
      text: `:white_check_mark: <@UAPPROVER> lifted the quarantine of \`${lifted}\` in shop production (rolled back by <@UAPPROVER>). It may be promoted again.`,
      visibility: 'in_channel',
    });
    expect((await h.ports.quarantines.list('shop', 'production')).map((q) => q.tag)).toEqual(left);
    expect(await h.ports.audit.list('shop')).toEqual([{ at: NOW.toISOString(), service: 'shop', environment: 'production', action: 'unquarantine', by: APPROVER, detail: lifted }]);
  });

  it('is for approvers only, and the quarantine stays', async () => {
    const h = commandHarness();
    await twoQuarantined(h);

    const reply = await h.invoke('/slipway', 'unquarantine', DEVELOPER);

    expect(reply).toEqual({ text: 'Only an approver of production can lift a quarantine.', visibility: 'ephemeral' });
    expect(await h.ports.quarantines.list('shop', 'production')).toHaveLength(2);
  });

  it.each([
    ['main-zzzzzzz', '`main-zzzzzzz` is not quarantined in shop production; quarantined: `main-ccccccc`, `main-bbbbbbb`.', true],
    ['staging', 'Nothing is quarantined in shop staging.', true],
    ['', 'Nothing is quarantined in shop production.', false],
  ])('"%s" with nothing to lift says what is quarantined', async (text, answer, quarantined) => {
    const h = commandHarness();
    if (quarantined) await twoQuarantined(h);

    const reply = await h.invoke('/slipway', `unquarantine ${text}`, APPROVER);

    expect(reply).toEqual({ text: answer, visibility: 'ephemeral' });
    expect(await h.ports.audit.list('shop')).toEqual([]);
  });

  it('with a word that is neither an environment nor a tag in between is answered with the usage', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/unquarantine', 'qa main-bbbbbbb', APPROVER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain('shop has no environment "qa": staging, production.');
  });
});
