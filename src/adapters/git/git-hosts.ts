import type { GitHost } from '../../core/git-hosts.js';
import type { GitHostWebhook } from '../../core/ports.js';
import { githubWebhook } from './github-webhook.js';
import { gitlabWebhook } from './gitlab-webhook.js';
import { giteaWebhook, gogsWebhook } from './gogs-webhook.js';

/** The adapter of every host in core/git-hosts.ts (the type makes one missing an error), by its route name. */
export const gitHosts: Readonly<Record<GitHost, GitHostWebhook>> = {
  github: githubWebhook,
  gogs: gogsWebhook,
  gitea: giteaWebhook,
  gitlab: gitlabWebhook,
};
