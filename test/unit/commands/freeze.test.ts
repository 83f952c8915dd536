import { describe, expect, it } from 'vitest';
import { APPROVER, commandHarness, DEVELOPER, GROUP_APPROVER, NOW } from './command-harness.js';

const hours = (n: number) => new Date(NOW.getTime() + n * 3600_000).toISOString();

describe('/slipway freeze', () => {
  it.each([
    ['production for 2h reason: payment maintenance', hours(2)],
    ['shop production for 90m reason: payment maintenance', hours(1.5)],
    ['production for 3d reason: payment maintenance', hours(72)],
    ['production until 2026-12-01T18:00:00+02:00 reason: payment maintenance', hours(6)],
  ])('"%s" freezes production until %s, for everyone to see', async (text, until) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', `freeze ${text}`, APPROVER);

    expect(reply.visibility).toBe('in_channel');
    expect(reply.text).toContain(':snowflake: <@UAPPROVER> froze shop production until ');
    expect(reply.text).toContain(': payment maintenance. Deploys and promotions are refused until then; /slipway unfreeze production lifts it.');
    expect(await h.ports.freezes.get('shop', 'production')).toEqual({ service: 'shop', environment: 'production', from: NOW.toISOString(), until, reason: 'payment maintenance', by: APPROVER });
    expect(await h.ports.audit.list('shop')).toEqual([
      { at: NOW.toISOString(), service: 'shop', environment: 'production', action: 'freeze', by: APPROVER, detail: `until ${until}: payment maintenance` },
    ]);
  });

  it('then refuses deploys into the environment', async () => {
    const h = commandHarness();
    await h.invoke('/slipway', 'freeze staging for 2h reason: db migration', GROUP_APPROVER);

    const reply = await h.invoke('/deploy', 'main', DEVELOPER);

    expect(reply.text).toContain(':snowflake: staging is frozen until');
    expect(h.ports.queue.jobs).toEqual([]);
  });

  it('is for approvers only', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', 'freeze production for 2h reason: I said so', DEVELOPER);

    expect(reply).toEqual({ text: 'Only an approver of production can freeze it.', visibility: 'ephemeral' });
    expect(await h.ports.freezes.get('shop', 'production')).toBeUndefined();
  });

  it.each([
    ['production', 'Say the environment and how long'],
    ['for 2h reason: x', 'Say the environment and how long'],
    ['production for 2h', 'Say why after "reason:"'],
    ['production for 2 hours reason: x', 'Say the environment and how long'],
    ['production for 2w reason: x', '"2w" is not a duration like 90m, 2h or 3d.'],
    ['production until tomorrow reason: x', '"tomorrow" is not a date-time with a zone'],
    ['production until 2026-12-01T18:00:00 reason: x', 'is not a date-time with a zone'],
    ['production until 2026-11-30T00:00:00Z reason: x', '2026-11-30T00:00:00.000Z has passed already.'],
    ['production for 15d reason: x', 'A freeze from Slack lasts 14 days at most'],
    ['qa for 2h reason: x', 'shop has no environment "qa"'],
  ])('"%s" is answered with the usage and freezes nothing', async (text, problem) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', `freeze ${text}`, APPROVER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain(problem);
    expect(await h.ports.freezes.get('shop', 'production')).toBeUndefined();
  });
});

describe('/slipway unfreeze', () => {
  it('lifts the freeze set from Slack, in the channel, and deploys go in again', async () => {
    const h = commandHarness();
    await h.invoke('/slipway', 'freeze staging for 2h reason: db migration', APPROVER);

    const reply = await h.invoke('/slipway', 'unfreeze staging', GROUP_APPROVER);
    await h.invoke('/deploy', 'main', DEVELOPER);

    expect(reply).toEqual({ text: ':sunny: <@UGROUPMEMBER> lifted the freeze of shop staging (db migration).', visibility: 'in_channel' });
    expect(await h.ports.freezes.get('shop', 'staging')).toBeUndefined();
    expect((await h.ports.audit.list('shop', 'staging')).find((e) => e.action === 'unfreeze')).toMatchObject({ by: GROUP_APPROVER, detail: 'db migration' });
    expect(h.ports.queue.jobs).toEqual(['shop-run1']);
  });

  it.each([
    ['staging', 'shop staging has no freeze set with /slipway freeze.'],
    ['production', 'shop production has no freeze set with /slipway freeze; its windows in slipway.yml stay as they are.'],
  ])('of %s with nothing set from Slack says what stays', async (environment, answer) => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', `unfreeze ${environment}`, APPROVER);

    expect(reply).toEqual({ text: answer, visibility: 'ephemeral' });
  });

  it('is for approvers only, and the freeze stays', async () => {
    const h = commandHarness();
    await h.invoke('/slipway', 'freeze production for 2h reason: maintenance', APPROVER);

    const reply = await h.invoke('/slipway', 'unfreeze production', DEVELOPER);

    expect(reply).toEqual({ text: 'Only an approver of production can lift its freeze.', visibility: 'ephemeral' });
    expect(await h.ports.freezes.get('shop', 'production')).toBeDefined();
  });

  it('without an environment is answered with the usage', async () => {
    const h = commandHarness();

    const reply = await h.invoke('/slipway', 'unfreeze', APPROVER);

    expect(reply.usage).toBe(true);
    expect(reply.text).toContain('Name the environment to unfreeze.');
  });
});
