import { describe, expect, it } from 'vitest';
import type { DeploymentStore } from '../../src/core/ports.js';
import { sampleDeployment } from './samples.js';
import type { MakeSubject } from './subject.js';

export function describeDeploymentStoreContract(name: string, make: MakeSubject<DeploymentStore>) {
  describe(`${name}: DeploymentStore`, () => {
    it('answers an environment’s history newest recorded first, and only that environment’s', async () => {
      const { store } = await make();
      await store.record(sampleDeployment({ runId: 'r1' }));
      await store.record(sampleDeployment({ runId: 'r2', outcome: 'failed', cause: 'health check failed' }));
      await store.record(sampleDeployment({ runId: 's1', environment: 'staging' }));
      await store.record(sampleDeployment({ runId: 'c1', service: 'cart' }));

      const history = await store.history('discounts', 'production');

      expect(history.map((d) => d.runId)).toEqual(['r2', 'r1']);
      expect(history[0]).toEqual(sampleDeployment({ runId: 'r2', outcome: 'failed', cause: 'health check failed' }));
      expect(await store.history('discounts', 'qa')).toEqual([]);
    });

    it('answers 10 deployments unless told how many', async () => {
      const { store } = await make();
      for (let i = 1; i <= 12; i += 1) await store.record(sampleDeployment({ runId: `r${i}` }));

      const history = await store.history('discounts', 'production');
      const three = await store.history('discounts', 'production', 3);

      expect(history.map((d) => d.runId)).toEqual(['r12', 'r11', 'r10', 'r9', 'r8', 'r7', 'r6', 'r5', 'r4', 'r3']);
      expect(three.map((d) => d.runId)).toEqual(['r12', 'r11', 'r10']);
    });

    it('keeps the newest 200 deployments of an environment', async () => {
      const { store } = await make();
      for (let i = 1; i <= 203; i += 1) await store.record(sampleDeployment({ runId: `r${i}` }));

      const history = await store.history('discounts', 'production', 500);

      expect(history).toHaveLength(200);
      expect(history[0]?.runId).toBe('r203');
      expect(history.at(-1)?.runId).toBe('r4');
    });

    it('answers as current the newest succeeded deployment, past failed ones', async () => {
      const { store } = await make();
      await store.record(sampleDeployment({ runId: 'r1' }));
      await store.record(sampleDeployment({ runId: 'r2' }));
      await store.record(sampleDeployment({ runId: 'r3', outcome: 'failed' }));

      const current = await store.current('discounts', 'production');

      expect(current?.runId).toBe('r2');
    });

    it('answers no current deployment once the environment is torn down, or when none succeeded', async () => {
      const { store } = await make();
      await store.record(sampleDeployment({ runId: 'r1' }));
      await store.record(sampleDeployment({ runId: 'r2', outcome: 'torn down' }));
      await store.record(sampleDeployment({ runId: 'r3', outcome: 'failed' }));
      await store.record(sampleDeployment({ runId: 's1', environment: 'staging', outcome: 'failed' }));

      expect(await store.current('discounts', 'production')).toBeUndefined();
      expect(await store.current('discounts', 'staging')).toBeUndefined();
      expect(await store.current('discounts', 'qa')).toBeUndefined();
    });

    it('keeps what it stored whatever a caller does to the objects it passed or was given', async () => {
      const { store } = await make();
      const deployment = sampleDeployment({ runId: 'r1' });
      await store.record(deployment);

      deployment.release.tag = 'changed';
      (await store.history('discounts', 'production'))[0]!.outcome = 'failed';

      expect(await store.current('discounts', 'production')).toEqual(sampleDeployment({ runId: 'r1' }));
    });
  });
}
