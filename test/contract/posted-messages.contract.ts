import { describe, expect, it } from 'vitest';
import type { PostedMessages } from '../../src/core/ports.js';
import { DAY, type MakeSubject, SECOND } from './subject.js';

const PLACE = { service: 'discounts', branch: 'main', environment: 'staging' };

export function describePostedMessagesContract(name: string, make: MakeSubject<PostedMessages>) {
  describe(`${name}: PostedMessages`, () => {
    it('reads nothing for a run with nothing posted', async () => {
      const { store } = await make();

      const posted = await store.read('run-1');

      expect(posted).toEqual({});
    });

    it('adds recorded fields to what was recorded before, a field recorded again taking the new value', async () => {
      const { store } = await make();
      await store.record('run-1', { channel: 'C1', ts: '1.1' });

      await store.record('run-1', { 'stage:test': '1', 'cardDigest:production': 'a' });
      await store.record('run-1', { 'cardDigest:production': 'b' });

      expect(await store.read('run-1')).toEqual({ channel: 'C1', ts: '1.1', 'stage:test': '1', 'cardDigest:production': 'b' });
      expect(await store.read('run-2')).toEqual({});
    });

    it('keeps a run 30 days from its last record', async () => {
      const { store, advance } = await make();
      await store.record('run-1', { channel: 'C1', ts: '1.1' });
      await store.record('run-2', { channel: 'C1', ts: '2.1' });

      await advance(20 * DAY);
      await store.record('run-1', { alert: '1' });
      await advance(15 * DAY);

      expect(await store.read('run-1')).toEqual({ channel: 'C1', ts: '1.1', alert: '1' });
      expect(await store.read('run-2')).toEqual({});
    });

    it('gives an open alert to the first taker only, per service, branch and environment', async () => {
      const { store } = await make();
      await store.openAlert(PLACE, { channel: 'C1', ts: '1.2', runId: 'run-1' });
      await store.openAlert({ ...PLACE, environment: 'production' }, { channel: 'C1', runId: 'run-9' });

      const first = await store.takeAlert(PLACE);
      const second = await store.takeAlert(PLACE);
      const elsewhere = await store.takeAlert({ ...PLACE, branch: 'dev/feature-x' });

      expect(first).toEqual({ channel: 'C1', ts: '1.2', runId: 'run-1' });
      expect(second).toBeUndefined();
      expect(elsewhere).toBeUndefined();
      expect(await store.takeAlert({ ...PLACE, environment: 'production' })).toEqual({ channel: 'C1', runId: 'run-9' });
    });

    it('gives an open alert to exactly one of many racing takers', async () => {
      const { store } = await make();
      await store.openAlert(PLACE, { channel: 'C1', ts: '1.2', runId: 'run-1' });

      const taken = await Promise.all(Array.from({ length: 10 }, () => store.takeAlert(PLACE)));

      expect(taken.filter((t) => t !== undefined)).toEqual([{ channel: 'C1', ts: '1.2', runId: 'run-1' }]);
    });

    it('replaces an open alert with a newer failure', async () => {
      const { store } = await make();
      await store.openAlert(PLACE, { channel: 'C1', ts: '1.2', runId: 'run-1' });

      await store.openAlert(PLACE, { channel: 'C1', ts: '3.2', runId: 'run-3' });

      expect(await store.takeAlert(PLACE)).toEqual({ channel: 'C1', ts: '3.2', runId: 'run-3' });
    });

    it('forgets an open alert nobody answered after 90 days', async () => {
      const { store, advance } = await make();
      await store.openAlert(PLACE, { channel: 'C1', ts: '1.2', runId: 'run-1' });
      await store.openAlert({ ...PLACE, branch: 'release' }, { channel: 'C1', ts: '1.3', runId: 'run-2' });

      await advance(89 * DAY);
      const before = await store.takeAlert({ ...PLACE, branch: 'release' });
      await advance(DAY + SECOND);
      const after = await store.takeAlert(PLACE);

      expect(before?.runId).toBe('run-2');
      expect(after).toBeUndefined();
    });
  });
}
