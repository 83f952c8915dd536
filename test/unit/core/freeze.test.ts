import { describe, expect, it } from 'vitest';
import { FreezeWindow } from '../../../src/core/config-schema.js';
import { activeFreeze, freezeLine } from '../../../src/core/freeze.js';

const weekend = FreezeWindow.parse({ from: '0 16 * * 5', until: '0 8 * * 1', timeZone: 'Europe/Berlin', reason: 'weekend' });
const holidays = FreezeWindow.parse({ from: '2026-12-23T00:00:00Z', until: '2027-01-04T08:00:00Z', reason: 'holidays' });

describe('activeFreeze', () => {
  it.each([
    ['Wednesday noon', '2026-11-25T12:00:00Z', undefined],
    ['Friday 15:59 in Berlin', '2026-11-27T14:59:00Z', undefined],
    ['Friday 16:00 in Berlin', '2026-11-27T15:00:00Z', '2026-11-30T07:00:00.000Z'],
    ['Sunday', '2026-11-29T12:00:00Z', '2026-11-30T07:00:00.000Z'],
    ['Monday 07:59 in Berlin', '2026-11-30T06:59:00Z', '2026-11-30T07:00:00.000Z'],
    ['Monday 08:00 in Berlin', '2026-11-30T07:00:00Z', undefined],
  ])('a weekly window, %s', (_name, now, until) => {
    expect(activeFreeze([weekend], new Date(now))?.until.toISOString()).toBe(until);
  });

  it('takes one-off windows, and of overlapping ones the later end', () => {
    expect(activeFreeze([holidays], new Date('2026-12-22T23:59:59Z'))).toBeUndefined();
    expect(activeFreeze([weekend, holidays], new Date('2026-12-25T17:00:00Z'))).toMatchObject({ until: new Date('2027-01-04T08:00:00Z'), reason: 'holidays' });
    expect(activeFreeze([holidays], new Date('2027-01-04T08:00:00Z'))).toBeUndefined();
  });

  it('says when the freeze ends in the window’s own time zone', () => {
    expect(freezeLine('production', activeFreeze([weekend], new Date('2026-11-28T10:00:00Z'))!)).toBe('production is frozen until Mon 30 Nov 08:00 (Europe/Berlin): weekend');
  });
});

describe('FreezeWindow', () => {
  it('refuses what is neither cron nor a date-time, mixed kinds, unknown zones and backwards dates', () => {
    const problems = (input: object) => FreezeWindow.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems({ from: 'friday', until: '0 8 * * 1' })).toEqual(['from: expected a cron expression like "0 16 * * 5" or an ISO date-time like 2026-12-23T00:00:00Z']);
    expect(problems({ from: '0 16 * * 5', until: '2027-01-04T08:00:00Z' })).toEqual(['until: from and until must both be cron expressions or both date-times']);
    expect(problems({ from: '0 16 * * 5', until: '0 8 * * 1', timeZone: 'Mars/Olympus' })).toEqual(['timeZone: expected an IANA time zone such as Europe/Berlin']);
    expect(problems({ from: '2027-01-04T08:00:00Z', until: '2026-12-23T00:00:00Z' })).toEqual(['until: expected a date-time after from']);
  });
});
