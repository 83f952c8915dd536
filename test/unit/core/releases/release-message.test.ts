import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/config.js';
import { serviceList } from '../../../../src/core/config-schema.js';
import { releaseMessage } from '../../../../src/core/messages/release-message.js';
import { newRun, type Run } from '../../../../src/core/run.js';
import { planDeployTo, planStages } from '../../../../src/core/stage-plan.js';
import { messageViolations } from '../../../helpers/block-kit-limits.js';

const run = (version: Run['version']): Run => ({
  ...newRun(
    {
      id: 'shop-1',
      service: 'shop',
      trigger: 'push',
      branch: 'main',
      sha: 'c'.repeat(40),
      author: { name: 'Ann' },
      triggeredBy: { name: 'Ann' },
      commits: [],
      cloneUrl: '',
      target: { environment: 'staging', ephemeral: false },
      stages: [],
    },
    new Date('2026-12-02T10:00:00Z'),
  ),
  version,
});

const commit = (i: number, kind: 'breaking' | 'feature' | 'fix' | 'other', subject = `change ${i}`) => ({
  sha: i.toString(16).padStart(40, '0'),
  subject,
  kind,
  author: 'Ann <Example>',
  url: `https://github.com/acme/shop/commit/${i}`,
});

describe('the version\'s thread reply', () => {
  it('groups the newest commits, links them, and says what was done', () => {
    const message = releaseMessage(run({
      version: '1.0.0', tag: 'v1.0.0', environment: 'production', previousTag: 'v0.9.0', total: 3, url: 'https://github.com/acme/shop/releases/tag/v1.0.0',
      commits: [commit(1, 'fix'), commit(2, 'breaking'), commit(3, 'other')],
      done: ['v1.0.0 on ccccccc in the repository (github API)'],
    }))!;
    const text = JSON.stringify(message.blocks);
    expect(message.text).toBe('shop v1.0.0 is in production');
    expect(text).toContain('`v1.0.0` is in *production*: 3 commit(s) since `v0.9.0` · <https://github.com/acme/shop/releases/tag/v1.0.0|release notes>');
    expect(text.indexOf('*Breaking changes*')).toBeLessThan(text.indexOf('*Fixes*'));
    expect(text).toContain('• change 1 (<https://github.com/acme/shop/commit/1|0000000>, Ann &lt;Example&gt;)');
    expect(text).not.toContain(':warning:');
    expect(messageViolations(message)).toEqual([]);
  });

  it('stays within Block Kit limits with many long commits, pointing at the full notes', () => {
    const commits = Array.from({ length: 30 }, (_, i) => commit(i, i % 2 ? 'feature' : 'fix', `${'x'.repeat(400)} <!channel>`));
    const message = releaseMessage(run({ version: '2.0.0', tag: 'v2.0.0', environment: 'production', total: 450, commits, url: 'https://h/r', problems: ['p'.repeat(5000)], done: ['d'.repeat(4000)] }))!;
    expect(messageViolations(message)).toEqual([]);
    expect(JSON.stringify(message.blocks)).toContain('…and 438 more in the <https://h/r|release notes>');
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
  });

  it('after a rollback names the version that runs again; says so when no version was made; nothing without one', () => {
    expect(releaseMessage(run({ version: '0.1.0', tag: 'v0.1.0', environment: 'production', again: true }))?.text).toBe('shop production runs v0.1.0 again');
    const none = releaseMessage(run({ version: '-', tag: '-', environment: 'production', problems: ['no version could be claimed'] }))!;
    expect(JSON.stringify(none.blocks)).toContain('*No version was made*');
    expect(releaseMessage(run(undefined))).toBeUndefined();
  });
});

describe('the release stage in the plan', () => {
  const service = (releases: string) => serviceList(parseConfig(`
services:
  shop:
    repo: acme/shop
    image: r/shop
    channel: "#shop"
    approvers: { users: [U1] }
    ephemeral: { ports: 9000-9010 }
    branches: [{ match: main, deploy: staging }, { match: "dev/*", deploy: ephemeral }]
    environments:
      - { name: staging, port: 1 }
      - { name: production, port: 2, requireApproval: true, synthetics: [{ type: http, name: home, path: / }] }
${releases}`))[0]!;

  it('comes after the release environment\'s deploy and checks, only when releases are on', () => {
    expect(planStages(service(''), { environment: 'staging', ephemeral: false }).at(-1)).toBe('synthetics:production');
    expect(planStages(service('    releases: { versioning: calver }'), { environment: 'staging', ephemeral: false }).slice(-3)).toEqual(['deploy:production', 'synthetics:production', 'release:production']);
    expect(planStages(service('    releases: { versioning: calver, environment: staging }'), { environment: 'staging', ephemeral: false })).toContain('release:staging');
    expect(planStages(service('    releases: { versioning: semver }'), { environment: 'shop-1234abcd', ephemeral: true })).not.toContainEqual(expect.stringMatching(/^release:/));
    expect(planDeployTo(service('    releases: { versioning: semver }'), { environment: 'staging', ephemeral: false }, 'staging')).not.toContain('release:production');
  });
});
