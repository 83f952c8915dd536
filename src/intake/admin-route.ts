import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN_QUEUES_PATH, ADMIN_REALM, type AdminAccess, adminRequestAllowed, admits } from '../core/admin-access.js';
import { refuseUnread } from './read-body.js';

/** The queue dashboard's own handler, given a request whose path is relative to `/admin/queues`. */
export type Dashboard = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * `/admin/queues` and every path under it (the page, its static files, its API): nothing is served, nor the
 * dashboard loaded (that happens on the first admitted request), without the credentials; a wrong or missing
 * one gets 401 and a basic-auth challenge, so a browser asks for them. Admitted, a change goes through only as
 * `adminRequestAllowed` says (read-only unless SLIPWAY_ADMIN_WRITE).
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
    // The dashboard routes from its own root: `/admin/queues/api/queues` reaches it as `/api/queues` (from the
    // path as the front door read it, so the dashboard sees what was allowed).
    const path = url.pathname.slice(ADMIN_QUEUES_PATH.length) || '/';
    const allowed = adminRequestAllowed(access, req.method ?? 'GET', path);
    if (allowed === 'read-only') {
      refuseUnread(req, res, 405, { error: 'the queue dashboard is read-only: set SLIPWAY_ADMIN_WRITE=true to retry, clean or promote jobs' }, { allow: 'GET, HEAD' });
      return;
    }
    if (allowed === 'not-offered') {
      refuseUnread(req, res, 403, { error: 'the queue dashboard only retries, cleans and promotes jobs; it does not add, edit, empty or pause' });
      return;
    }
    const handle = await (loaded ??= dashboard());
    req.url = `${path}${url.search}`;
    handle(req, res);
  };
}

/** Whether a path is the dashboard's: `/admin/queues` itself or below it (not `/admin/queuesX`). */
export const isAdminPath = (path: string) => path === ADMIN_QUEUES_PATH || path.startsWith(`${ADMIN_QUEUES_PATH}/`);
