import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../src/config.js';
import { serviceList } from '../../../../src/core/config-schema.js';
import { statusMessage } from '../../../../src/core/messages/status-message.js';
import type { Deployment } from '../../../../src/core/ports.js';

const [shop] = serviceList(parseConfig('services:\n  shop: { repo: acme/shop, image: 127.0.0.1:5000/shop, channel: "#shop", environments: [{ name: staging, port: 8080 }] }'));
if (!shop) throw new Error('no service');
const digest = `sha256:${'a'.repeat(64)}`;
const deployed: Deployment = {
  service: 'shop',
  environment: 'staging',
  release: { sha: 'b'.repeat(40), tag: 'main-bbbbbbb', digest, image: '127.0.0.1:5000/shop' },
  port: 8080,
  runId: 'r1',
  by: 'U0ANN',
  at: '2026-12-01T10:00:00Z',
  outcome: 'succeeded',
};
const text = (running: string | undefined) =>
  JSON.stringify(statusMessage([{ service: shop, environments: [{ name: 'staging', current: deployed, health: 'healthy', running }], pending: [], activeRuns: [] }]).blocks);

describe('status: what the target says runs there', () => {
  it('says nothing more when the host runs the release slipway deployed', () => {
    expect(text(`127.0.0.1:5000/shop@${digest}`)).not.toContain('the host runs');
    expect(text(undefined)).not.toContain('the host runs');
  });

  it('warns when the host runs something else', () => {
    expect(text('127.0.0.1:5000/shop:hand-made')).toContain('the host runs `127.0.0.1:5000/shop:hand-made`, not what slipway deployed');
  });
});

describe('status: an orchestrator\'s replicas', () => {
  it('shows how many are ready of how many it should run', () => {
    const blocks = JSON.stringify(statusMessage([{ service: shop!, environments: [{ name: 'staging', current: deployed, health: 'healthy', replicas: { ready: 2, desired: 3 } }], pending: [], activeRuns: [] }]).blocks);
    expect(blocks).toContain('healthy · 2/3 replicas ready');
  });
});
