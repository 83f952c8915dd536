import { ADMIN_QUEUES_PATH, adminAccess } from '../core/admin-access.js';
import { QUEUES } from '../core/jobs.js';
import { adminRoute, type Dashboard } from '../intake/admin-route.js';
import type { Closers } from './closers.js';
import type { Parts } from './parts.js';

/**
 * The queue dashboard's route where it is on (SLIPWAY_ADMIN_TOKEN, or SLIPWAY_ADMIN_USER and _PASSWORD), else
 * undefined: `/admin/queues` is then no route at all (404). Bull Board (and its Express adapter) is loaded on
 * the first request that carries the credentials, never in a process where the dashboard is off.
 */
export function adminDashboard({ env, queueRedis, log }: Pick<Parts, 'env' | 'queueRedis' | 'log'>, closers: Closers) {
  const access = adminAccess(env);
  if (!access) return undefined;
  log.info({ path: ADMIN_QUEUES_PATH, write: access.write }, `queue dashboard on ${ADMIN_QUEUES_PATH} (${access.write ? 'jobs may be retried, cleaned and promoted' : 'read-only'})`);
  const dashboard = async (): Promise<Dashboard> => {
    const { queueDashboard } = await import('../adapters/redis/queue-dashboard.js');
    const board = queueDashboard({ connection: queueRedis, queueNames: QUEUES, basePath: ADMIN_QUEUES_PATH, write: access.write });
    closers.add(() => board.close());
    return board.handle;
  };
  return adminRoute({ access, dashboard });
}
