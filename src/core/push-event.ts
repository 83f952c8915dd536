import { z } from 'zod';

import { GIT_HOSTS } from './git-hosts.js';

export type { GitHost } from './git-hosts.js';

const sha = z.string().regex(/^[0-9a-f]{40}$/, 'expected a 40-character hex commit sha');
const person = z.object({ name: z.string(), email: z.string().optional(), username: z.string().optional() });

/** What every git host's push webhook is normalized to. */
export const PushEvent = z.object({
  host: z.enum(GIT_HOSTS),
  deliveryId: z.string().min(1),
  repo: z.object({ fullName: z.string(), urls: z.array(z.string()) }),
  ref: z.string(),
  before: sha,
  after: sha,
  deleted: z.boolean(),
  /** `at`: the commit's time as the host gave it (UTC ISO 8601), where it did. */
  commits: z.array(z.object({ sha, message: z.string(), author: person, url: z.string().optional(), at: z.string().optional() })),
  /** The head commit's author (who the change is from); the pusher when there is no commit. */
  author: person,
  pusher: person,
  /**
   * Every file the push added, modified or removed, when the payload lists them all; absent when it does not
   * (the host caps its lists, or gives none), and then nothing may be concluded from it.
   */
  changedFiles: z.array(z.string()).optional(),
});
export type PushEvent = z.infer<typeof PushEvent>;
export type Person = z.infer<typeof person>;

export const ZERO_SHA = '0000000000000000000000000000000000000000';

export function branchOf(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}
