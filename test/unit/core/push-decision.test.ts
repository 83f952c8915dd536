import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { Ephemeral, serviceList } from '../../../src/core/config-schema.js';
import { decidePush, needsAncestryCheck, newerPushOnBranch } from '../../../src/core/push-decision.js';
import type { PushEvent } from '../../../src/core/push-event.js';
import { planStages } from '../../../src/core/stage-plan.js';

const services = serviceList(parseConfig(`
services:
  discounts:
    repo: acme/discounts
    lintTarget: lint
    testTarget: test
    reports: { coverage: { path: /c/lcov.info, format: lcov } }
    image: 127.0.0.1:5000/discounts
    network: host
    channel: "#discounts"
    approvers: { users: [U0BOB] }
    branches:
      - { match: main, deploy: staging }
      - { match: "hotfix/*", deploy: production }
      - { match: "dev/feature*", deploy: ephemeral }
    environments:
      - { name: staging, port: 8080, synthetics: [{ type: http, name: home, path: / }] }
      - { name: qa, port: 8082 }
      - { name: production, port: 8081, requireApproval: true }
    ephemeral: { ports: 9000-9099 }
`));
const discounts = services[0]!;

function push(overrides: Partial<PushEvent>): PushEvent {
  return {
    host: 'github',
    deliveryId: 'd-1',
    repo: { fullName: 'acme/discounts', urls: ['https://github.com/acme/discounts.git'] },
    ref: 'refs/heads/main',
    before: 'a'.repeat(40),
    after: 'b'.repeat(40),
    deleted: false,
    commits: [],
    author: { name: 'Ann' },
    pusher: { name: 'ann' },
    ...overrides,
  };
}

describe('decidePush', () => {
  it.each([
    ['a tag', push({ ref: 'refs/tags/v1' }), /refs\/tags\/v1 is not a branch/],
    ['an unknown repository', push({ repo: { fullName: 'acme/other', urls: [] } }), /no service in slipway.yml is built from acme\/other/],
    ['a branch with no route', push({ ref: 'refs/heads/spike' }), /branch spike of discounts matches no entry/],
    ['a deleted shared branch', push({ deleted: true }), /branch main was deleted; staging keeps its release/],
  ])('ignores %s', (_name, event, reason) => {
    const decision = decidePush(event, services);
    expect(decision.kind).toBe('ignored');
    if (decision.kind === 'ignored') expect(decision.reason).toMatch(reason);
  });

  it('starts a run through the whole chain for main', () => {
    expect(decidePush(push({}), services)).toMatchObject({
      kind: 'run',
      runs: [{
      trigger: 'push',
      branch: 'main',
      target: { environment: 'staging', ephemeral: false },
      stages: ['checkout', 'validate', 'test', 'coverage', 'build', 'push', 'deploy:staging', 'synthetics:staging', 'deploy:qa', 'approval:production', 'deploy:production'],
      }],
    });
  });

  it('tears down the ephemeral environment of a deleted feature branch', () => {
    const decision = decidePush(push({ ref: 'refs/heads/dev/feature-login', deleted: true }), services);
    expect(decision).toMatchObject({
      kind: 'run',
      runs: [{ trigger: 'delete', target: { environment: 'discounts-056b737a', ephemeral: true }, stages: ['teardown:discounts-056b737a'] }],
    });
  });
});

describe('decidePush refuses what the payload cannot decide', () => {
  it.each([
    ['a branch git would not accept', push({ ref: 'refs/heads/--upload-pack=touch /tmp/pwned' }), /is not a branch name git accepts/],
    ['a branch with ".."', push({ ref: 'refs/heads/main/../x' }), /contains "\.\."/],
    ['a matching name with a clone URL elsewhere', push({ repo: { fullName: 'acme/discounts', urls: ['file:///tmp/other.git'] } }), /clone URL is file:\/\/\/tmp\/other.git, but discounts is built from https:\/\/github.com\/acme\/discounts/],
    ['owner/name on a host slipway cannot build a URL for', push({ host: 'gitea', repo: { fullName: 'acme/discounts', urls: ['https://gitea.example.com/acme/discounts.git'] } }), /set cloneUrl for service discounts/],
  ])('refuses %s', (_name, event, reason) => {
    const decision = decidePush(event, services);
    expect(decision.kind).toBe('refused');
    if (decision.kind === 'refused') expect(decision.reason).toMatch(reason);
  });

  it('clones a GitHub owner/name from github.com, not from the payload', () => {
    expect(decidePush(push({}), services)).toMatchObject({ kind: 'run', runs: [{ cloneUrl: 'https://github.com/acme/discounts.git' }] });
  });
});

describe('decidePush in a monorepo', () => {
  const mono = serviceList(parseConfig(`
services:
  api:
    repo: acme/shop
    paths: ["services/api/**", "libs/**"]
    image: 127.0.0.1:5000/api
    channel: "#shop"
    environments: [{ name: staging, port: 8080 }]
  web:
    repo: acme/shop
    paths: ["services/web/**", "libs/**"]
    image: 127.0.0.1:5000/web
    channel: "#shop"
    environments: [{ name: staging, port: 8081 }]
  everything:
    repo: acme/shop
    image: 127.0.0.1:5000/all
    channel: "#shop"
    branches: [{ match: release, deploy: staging }]
    environments: [{ name: staging, port: 8082 }]
`));
  const shop = (changedFiles: string[] | undefined, overrides: Partial<PushEvent> = {}) =>
    push({ repo: { fullName: 'acme/shop', urls: ['https://github.com/acme/shop.git'] }, changedFiles, ...overrides });
  const ran = (event: PushEvent) => {
    const decision = decidePush(event, mono);
    return decision.kind === 'run' ? decision.runs.map((r) => r.service.name) : [];
  };

  it.each([
    ['one service\'s files', ['services/api/src/app.ts'], ['api']],
    ['both services\' files', ['services/api/x.ts', 'services/web/y.ts'], ['api', 'web']],
    ['a library both are built from', ['libs/money/round.ts'], ['api', 'web']],
    ['a dotfile under a path', ['services/web/.env.example'], ['web']],
    ['files the payload did not list in full', undefined, ['api', 'web']],
  ])('runs every service whose paths a push touches: %s', (_name, files, expected) => {
    expect(ran(shop(files))).toEqual(expected);
  });

  it('starts nothing for a push that touches no service, and says why', () => {
    const decision = decidePush(shop(['README.md', 'docs/x.md']), mono);
    expect(decision.kind).toBe('ignored');
    if (decision.kind === 'ignored') {
      expect(decision.reason).toMatch(/changes no file in the paths api is built from \(services\/api\/\*\*, libs\/\*\*\)/);
      expect(decision.reason).toMatch(/branch main of everything matches no entry/);
    }
  });

  it('lists why the services without a run got none', () => {
    expect(decidePush(shop(['services/api/a.ts']), mono)).toMatchObject({
      kind: 'run',
      skipped: [
        { service: 'web', kind: 'ignored', reason: expect.stringMatching(/changes no file/) },
        { service: 'everything', kind: 'ignored', reason: expect.stringMatching(/matches no entry/) },
      ],
    });
  });

  it('tears down a deleted branch whatever its paths', () => {
    const withEphemeral = mono.map((s) => ({ ...s, branches: [{ match: 'dev/*', deploy: 'ephemeral' }], ephemeral: Ephemeral.parse({ ports: '9000-9099' }) }));
    const decision = decidePush(shop([], { ref: 'refs/heads/dev/x', deleted: true }), withEphemeral);
    expect(decision.kind === 'run' && decision.runs.map((r) => r.trigger)).toEqual(['delete', 'delete', 'delete']);
  });
});

describe('needsAncestryCheck', () => {
  const [A, B, C] = ['a', 'b', 'c'].map((c) => c.repeat(40)) as [string, string, string];
  it.each([
    ['a push of an other commit than the deployed one', { trigger: 'push', sha: A, before: C }, B, true],
    ['nothing deployed from the branch yet', { trigger: 'push', sha: A, before: C }, undefined, false],
    ['the deployed commit itself', { trigger: 'push', sha: B, before: A }, B, false],
    ['a push continuing from the deployed commit (a force-push back)', { trigger: 'push', sha: A, before: B }, B, false],
    ['a /deploy by a person', { trigger: 'deploy', sha: A }, B, false],
    ['a rollback', { trigger: 'rollback', sha: A }, B, false],
    ['a retry', { trigger: 'retry', sha: A }, B, false],
  ] as const)('%s → %s', (_name, run, deployed, expected) => {
    expect(needsAncestryCheck(run, deployed)).toBe(expected);
  });
});

describe('planStages', () => {
  it('puts the approval gate before an environment that needs one, even the first', () => {
    expect(planStages(discounts, { environment: 'production', ephemeral: false }).slice(-2)).toEqual(['approval:production', 'deploy:production']);
  });

  it('deploys an ephemeral environment alone', () => {
    expect(planStages(discounts, { environment: 'discounts-1234abcd', ephemeral: true }).slice(-1)).toEqual(['deploy:discounts-1234abcd']);
  });
});

describe('newerPushOnBranch', () => {
  const [X, A, B, C] = ['x', 'a', 'b', 'c'].map((c) => c.repeat(40)) as [string, string, string, string];
  // Newest first: X → A, then A → B.
  const pushes = [{ runId: 'r2', sha: B, before: A }, { runId: 'r1', sha: A, before: X }];

  it('calls a late delivery of an older push stale, naming the newer one', () => {
    expect(newerPushOnBranch({ before: X, after: A }, pushes)).toEqual(pushes[0]);
    // Older still: behind the whole known chain.
    expect(newerPushOnBranch({ before: '0'.repeat(40), after: X }, pushes)).toEqual(pushes[0]);
  });

  it('takes a push that continues from the newest, a force-push back included, and an unknown commit', () => {
    expect(newerPushOnBranch({ before: B, after: C }, pushes)).toBeUndefined();
    expect(newerPushOnBranch({ before: B, after: A }, pushes)).toBeUndefined();
    expect(newerPushOnBranch({ before: X, after: C }, pushes)).toBeUndefined();
    expect(newerPushOnBranch({ before: A, after: B }, pushes)).toBeUndefined(); // the newest itself, redelivered
    expect(newerPushOnBranch({ before: X, after: A }, [])).toBeUndefined();
  });

  it('after a deletion, takes only a push that makes the branch anew', () => {
    const ZERO = '0'.repeat(40);
    const deleted = [{ runId: 'r3', sha: ZERO, before: B }, ...pushes];
    const deletedOnGogs = [{ runId: 'r3', sha: ZERO, before: ZERO }, ...pushes];

    expect(newerPushOnBranch({ before: A, after: B }, deleted)).toEqual(deleted[0]);
    expect(newerPushOnBranch({ before: B, after: C }, deletedOnGogs)).toEqual(deletedOnGogs[0]);
    expect(newerPushOnBranch({ before: ZERO, after: C }, deleted)).toBeUndefined();
    expect(newerPushOnBranch({ before: ZERO, after: C }, deletedOnGogs)).toBeUndefined();
  });
});
