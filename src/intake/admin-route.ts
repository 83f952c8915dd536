import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_QUEUES_PATH, ADMIN_REALM, type AdminAccess, admits } from '../core/admin-access.js';
import { refuseUnread } from './read-body.js';

/** The queue dashboard's own handler, given a request whose path is relative to `/admin/queues`. */
export type Dashboard = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `/admin/queues` and every path under it (the page, its static files, its API): nothing is served, nor the
 * dashboard loaded (that happens on the first admitted request), without the credentials; a wrong or missing one gets 401 and a basic-auth challenge, so a
 * browser asks for them.
 */
export function adminRoute({ access, dashboard }: { access: AdminAccess; /** Loads the dashboard; called once. */ dashboard(): Promise<Dashboard> }) {
  let loaded: Promise<Dashboard> | undefined;
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!admits(access, req.headers.authorization)) {
      refuseUnread(req, res, 401, { error: 'the queue dashboard needs its credentials (SLIPWAY_ADMIN_TOKEN as a bearer token, or basic auth)' }, {
        'www-authenticate': `Basic realm="${ADMIN_REALM}", charset="UTF-8"`,
        'cache-control': 'no-store',
      });
      return;
    }
    const handle = await (loaded ??= dashboard());
    // The dashboard routes from its own root: `/admin/queues/api/queues` reaches it as `/api/queues`.
    // From the path as the front door read it, so the dashboard sees what was authorized.
    req.url = `${url.pathname.slice(ADMIN_QUEUES_PATH.length) || '/'}${url.search}`;
    handle(req, res);
  };
}

/** Whether a path is the dashboard's: `/admin/queues` itself or below it (not `/admin/queuesX`). */
export const isAdminPath = (path: string) => path === ADMIN_QUEUES_PATH || path.startsWith(`${ADMIN_QUEUES_PATH}/`);
