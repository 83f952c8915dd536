import { Worker } from 'bullmq';
import { afterEach } from 'vitest';
import { BULLMQ_PREFIX, BullRunQueue } from '../../src/adapters/redis/bull-queues.js';
import { RedisHostDeployments } from '../../src/adapters/store/redis-host-deployments.js';
import { RedisPostedMessages } from '../../src/adapters/store/redis-posted-messages.js';
import { RUNS_QUEUE } from '../../src/core/jobs.js';
import { MemoryHostDeployments } from '../memory/memory-host-deployments.js';
import { MemoryPostedMessages } from '../memory/memory-posted-messages.js';
import { MemoryRunQueue } from '../memory/memory-run-queue.js';
import { describeHostDeploymentsContract } from './host-deployments.contract.js';
import { memorySubject } from './memory-subjects.js';
import { describePostedMessagesContract } from './posted-messages.contract.js';
import { redisSubjects } from './redis-subjects.js';
import { describeRunQueueContract, type RunQueueSubject } from './run-queue.contract.js';

// The ports stores.test.ts leaves out, run against their Redis implementation (a private redis-server) and memory.
const redis = redisSubjects();

describePostedMessagesContract('redis', redis((r) => new RedisPostedMessages(r)));
describePostedMessagesContract('memory', memorySubject((now) => new MemoryPostedMessages(now)));

describeHostDeploymentsContract('redis', redis((r) => new RedisHostDeployments(r)));
describeHostDeploymentsContract('memory', memorySubject((now) => new MemoryHostDeployments(now)));

const closeAfterTest: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closeAfterTest.splice(0)) await close();
});

describeRunQueueContract('bullmq', redis((r): RunQueueSubject => {
  const queue = new BullRunQueue(r);
  closeAfterTest.push(() => queue.close());
  return {
    queue,
    jobIds: async () => (await queue.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized'])).map((j) => j.id ?? '').sort(),
    take: async (runId) => {
      // A worker without a processor, fetching by hand: the job is active and locked under the token.
      const connection = r.duplicate({ maxRetriesPerRequest: null });
      const worker = new Worker(RUNS_QUEUE, null, { connection, prefix: BULLMQ_PREFIX, autorun: false });
      closeAfterTest.push(async () => {
        await worker.close();
        connection.disconnect();
      });
      const job = await worker.getNextJob('test-worker');
      if (job?.id !== runId) throw new Error(`the worker took ${job?.id}, not ${runId}`);
    },
  };
}));
describeRunQueueContract('memory', memorySubject((): RunQueueSubject => {
  const queue = new MemoryRunQueue();
  return { queue, jobIds: async () => [...queue.jobs].sort(), take: async (runId) => queue.take(runId) };
}));
