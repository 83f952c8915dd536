import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';
import { markdownOf, outcomeAnswer, refusedAnswer } from '../../../src/core/messages/pull-request-answer.js';
import { pullRequestLine } from '../../../src/core/messages/run-message.js';
import { deployCommandWords, type PullRequest, type PullRequestComment } from '../../../src/core/pull-request-comment.js';
import { decideComment, isFork, pullRequestBranch, pullRequestRefusal } from '../../../src/core/pull-request-policy.js';
import { newRun } from '../../../src/core/run.js';

const config = parseConfig(`
services:
  discounts:
    repo: https://github.com/acme/discounts.git
    image: 127.0.0.1:5000/discounts
    channel: "#discounts"
    environments:
      - { name: staging, port: 26200 }
      - { name: production, port: 26201, requireApproval: true, approvers: { users: [U0BOB] } }
    ephemeral: { ports: 26210-26219 }
  reports:
    repo: https://github.com/acme/shop.git
    image: 127.0.0.1:5000/reports
    channel: "#shop"
    environments: [{ name: staging, port: 26202 }]
    pullRequests: { forks: true }
  checkout:
    repo: https://github.com/acme/shop.git
    image: 127.0.0.1:5000/checkout
    channel: "#shop"
    environments: [{ name: staging, port: 26203 }]
    ephemeral: { ports: 26220-26229 }
    pullRequests: { forks: true }
people:
  U0ANN: { usernames: [ann] }
  U0BOB: { usernames: [bob], emails: [bob@example.com] }
`);
const services = serviceList(config);
const [discounts, , checkout] = services as [(typeof services)[0], (typeof services)[0], (typeof services)[0]];

const comment = (over: Partial<PullRequestComment> & { body?: string; author?: string } = {}): PullRequestComment => ({
  host: 'github',
  deliveryId: 'd-1',
  action: 'created',
  repo: { fullName: 'acme/discounts', urls: ['https://github.com/acme/discounts.git'] },
  number: 7,
  isPullRequest: true,
  ...over,
  comment: { id: 1, body: over.body ?? '/deploy', author: over.author ?? 'ann' },
});

const pull = (over: Partial<PullRequest> = {}, head: Partial<PullRequest['head']> = {}): PullRequest => ({
  number: 7,
  open: true,
  title: 'Loyalty discount',
  author: 'ann',
  head: { sha: 'a'.repeat(40), ref: 'dev/feature-loyalty', repoFullName: 'acme/discounts', ...head },
  base: { repoFullName: 'acme/discounts' },
  ...over,
});

describe('deployCommandWords: a /deploy on the first line', () => {
  it.each([
    ['/deploy', []],
    ['  /deploy  \nplease', []],
    ['/deploy staging', ['staging']],
    ['/deploy staging checkout', ['staging', 'checkout']],
    ['/deploy\tstaging\r\nthanks', ['staging']],
    ['/deployment', undefined],
    ['please /deploy', undefined],
    ['LGTM\n/deploy', undefined],
    ['', undefined],
  ])('%j → %j', (body, words) => {
    expect(deployCommandWords(body)).toEqual(words);
  });
});

describe('decideComment: who may deploy from a comment', () => {
  it.each([
    ['a created /deploy by a known person', comment(), { kind: 'deploy', environment: undefined, slackId: 'U0ANN' }],
    ['/deploy staging', comment({ body: '/deploy staging' }), { kind: 'deploy', environment: 'staging', slackId: 'U0ANN' }],
    ['/deploy ephemeral is the default', comment({ body: '/deploy ephemeral' }), { kind: 'deploy', environment: undefined }],
    ['a git username matched whatever its case', comment({ author: 'Bob' }), { kind: 'deploy', slackId: 'U0BOB' }],
    ['an ordinary comment', comment({ body: 'Looks good to me' }), { kind: 'ignored', reason: 'not a /deploy comment' }],
    ['a repository no service is built from', comment({ repo: { fullName: 'acme/other', urls: ['https://github.com/acme/other.git'] } }), { kind: 'ignored' }],
    ['an edited comment', comment({ action: 'edited' }), { kind: 'refused', reason: expect.stringContaining('an edited comment starts nothing') }],
    ['a deleted comment', comment({ action: 'deleted' }), { kind: 'ignored' }],
    ['a comment on an issue', comment({ isPullRequest: false }), { kind: 'refused', reason: expect.stringContaining('pull requests only') }],
    ['an unknown commenter', comment({ author: 'mallory' }), { kind: 'refused', reason: expect.stringMatching(/does not know who @mallory is.*people:/) }],
    ['an unknown environment', comment({ body: '/deploy qa' }), { kind: 'refused', reason: expect.stringContaining('no environment "qa": staging, production') }],
    ['too many words', comment({ body: '/deploy staging now please' }), { kind: 'refused', reason: expect.stringContaining('did not understand') }],
    ['a word longer than any name, not echoed whole', comment({ body: `/deploy ${'x'.repeat(5000)}` }), { kind: 'refused', reason: expect.stringMatching(/^did not understand "x{80}": use/) }],
  ])('%s', (_, event, expected) => {
    expect(decideComment(event, services, config.people)).toMatchObject(expected);
  });

  it('asks for the service when the repository builds several, and takes it in either order', () => {
    const shop = { repo: { fullName: 'acme/shop', urls: ['https://github.com/acme/shop.git'] } };
    expect(decideComment(comment({ ...shop }), services, config.people)).toMatchObject({ kind: 'refused', reason: expect.stringContaining('builds reports, checkout: name one') });
    expect(decideComment(comment({ ...shop, body: '/deploy checkout' }), services, config.people)).toMatchObject({ kind: 'deploy', service: { name: 'checkout' }, environment: undefined });
    expect(decideComment(comment({ ...shop, body: '/deploy checkout staging' }), services, config.people)).toMatchObject({ kind: 'deploy', service: { name: 'checkout' }, environment: 'staging' });
    expect(decideComment(comment({ ...shop, body: '/deploy staging checkout' }), services, config.people)).toMatchObject({ kind: 'deploy', service: { name: 'checkout' }, environment: 'staging' });
  });
});

describe('pullRequestRefusal: what the host says of the pull request', () => {
  it('deploys an open pull request of the repository itself, as its head branch', () => {
    expect(pullRequestRefusal(pull(), discounts, undefined)).toBeUndefined();
    expect(pullRequestRefusal(pull(), discounts, 'staging')).toBeUndefined();
    expect(pullRequestBranch(pull())).toBe('dev/feature-loyalty');
  });

  it('refuses a closed pull request', () => {
    expect(pullRequestRefusal(pull({ open: false }), discounts, undefined)).toMatch(/#7 is closed/);
  });

  it('refuses forks unless the service allows them, and then only to their own ephemeral environment', () => {
    const fork = pull({}, { repoFullName: 'mallory/discounts', ref: 'main' });
    expect(isFork(fork)).toBe(true);
    expect(pullRequestRefusal(fork, discounts, undefined)).toMatch(/comes from a fork \(mallory\/discounts\).*pullRequests\.forks/);
    const shopFork = pull({ base: { repoFullName: 'acme/shop' } }, { repoFullName: 'mallory/shop', ref: 'main' });
    expect(pullRequestRefusal(shopFork, checkout, undefined)).toBeUndefined();
    expect(pullRequestRefusal(shopFork, checkout, 'staging')).toMatch(/only to its own ephemeral environment, never to staging/);
    // A fork's branch is never taken for one of ours: its `main` is deployed as pull/<n>/head.
    expect(pullRequestBranch(shopFork)).toBe('pull/7/head');
    // A deleted fork has no head repository: still a fork.
    expect(isFork(pull({}, { repoFullName: undefined }))).toBe(true);
  });

  it('asks for an environment when the service has no ephemeral ones', () => {
    const reports = services.find((s) => s.name === 'reports')!;
    expect(pullRequestRefusal(pull({ base: { repoFullName: 'acme/shop' } }, { repoFullName: 'acme/shop' }), reports, undefined)).toMatch(/no ephemeral environments.*\/deploy staging/);
  });
});

describe('answers in the pull request', () => {
  it('turns Slack markup into markdown, a mention into the git username people: gives', () => {
    expect(markdownOf(':lock: staging is locked by <@U0BOB>: release &lt;today&gt;', config.people)).toBe(':lock: staging is locked by @bob: release <today>');
    expect(markdownOf('held by <@U0ZED>', config.people)).toBe('held by someone in Slack');
    expect(refusedAnswer('pull request #7 is closed: only an open pull request is deployed', config.people)).toBe(
      ':no_entry: **slipway did not deploy this.** pull request #7 is closed: only an open pull request is deployed.',
    );
  });

  it('says the outcome with the failed stage, and the run links back to the pull request in Slack', () => {
    const run = newRun(
      {
        id: 'discounts-1',
        service: 'discounts',
        trigger: 'deploy',
        branch: 'dev/feature-loyalty',
        sha: 'a'.repeat(40),
        author: { name: 'ann' },
        triggeredBy: { name: 'ann', username: 'U0ANN' },
        commits: [],
        cloneUrl: 'https://github.com/acme/discounts.git',
        target: { environment: 'staging', ephemeral: false },
        stages: ['checkout', 'build', 'push', 'deploy:staging'],
        pullRequest: { number: 7, by: 'ann', url: 'https://github.com/acme/discounts/pull/7', fork: false },
      },
      new Date('2026-12-01T10:00:00Z'),
    );
    const failed = { ...run, status: 'failed' as const, failure: { stage: 'deploy:staging', cause: 'health check answered 503' } };
    expect(outcomeAnswer(failed, 'https://slipway.example.com/runs/discounts-1')).toBe(
      ':x: failed: deploy:staging — health check answered 503. `aaaaaaa` to **staging**, run [`discounts-1`](https://slipway.example.com/runs/discounts-1).',
    );
    expect(pullRequestLine(run)).toBe('from <https://github.com/acme/discounts/pull/7|PR #7> by ann');
    expect(pullRequestLine({ ...run, pullRequest: { number: 8, by: 'eve', url: 'javascript:x|y', fork: true } })).toBe('from PR #8 by eve (a fork)');
  });
});

describe('slipway.yml pullRequests', () => {
  it('is off for forks unless said, and refuses unknown keys', () => {
    expect(discounts.pullRequests?.forks ?? false).toBe(false);
    expect(checkout.pullRequests).toEqual({ forks: true });
    expect(() => parseConfig(`
services:
  x:
    repo: acme/x
    image: 127.0.0.1:5000/x
    channel: "#x"
    environments: [{ name: staging, port: 26204 }]
    pullRequests: { fork: true }
`)).toThrow(/pullRequests/);
  });
});
