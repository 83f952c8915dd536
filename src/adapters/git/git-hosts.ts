import type { GitHostWebhook } from './git-host-webhook.js';
import { githubWebhook } from './github-webhook.js';
import { gitlabWebhook } from './gitlab-webhook.js';
import { giteaWebhook, gogsWebhook } from './gogs-webhook.js';

/** Every git host slipway takes webhooks from, by the name used in `/webhooks/<name>`. */
export const gitHosts: Readonly<Record<string, GitHostWebhook>> = {
  github: githubWebhook,
  gogs: gogsWebhook,
  gitea: giteaWebhook,
  gitlab: gitlabWebhook,
};
