import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { serviceList } from '../../../src/core/config-schema.js';
import { planDeployTo } from '../../../src/core/stage-plan.js';

const [service] = serviceList(parseConfig(`
services:
  s:
    repo: a/s
    image: r/s
    channel: "#s"
    approvers: { users: [U1] }
    environments:
      - { name: qa, port: 1, requireApproval: true }
      - { name: staging, port: 2 }
      - { name: canary, port: 4 }
      - { name: production, port: 3, requireApproval: true }
`));

describe('planDeployTo', () => {
  it('walks the chain from the routed environment up to the one asked for', () => {
    expect(planDeployTo(service!, { environment: 'staging', ephemeral: false }, 'production')).toEqual([
      'checkout', 'build', 'push', 'deploy:staging', 'deploy:canary', 'approval:production', 'deploy:production',
    ]);
  });

  it('stops at the environment asked for', () => {
    expect(planDeployTo(service!, { environment: 'staging', ephemeral: false }, 'canary').slice(-2)).toEqual(['deploy:staging', 'deploy:canary']);
  });

  it('goes straight to an environment before the routed one, behind its gate', () => {
    expect(planDeployTo(service!, { environment: 'staging', ephemeral: false }, 'qa')).toEqual(['checkout', 'build', 'push', 'approval:qa', 'deploy:qa']);
  });
});
