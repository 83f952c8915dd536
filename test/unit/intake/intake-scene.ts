import { parseConfig } from '../../../src/config.js';
import { type ServiceConfig, serviceList } from '../../../src/core/config-schema.js';
import type { PushEvent } from '../../../src/core/push-event.js';
import { newRun, type NewRun, type Run } from '../../../src/core/run.js';
import { planStages } from '../../../src/core/stage-plan.js';
import { memoryPorts, type MemoryPortsOptions } from '../../memory/memory-ports.js';

/** Every test in this folder runs at this instant. */
export const NOW = new Date('2026-12-01T10:00:00.000Z');

export const SIGNING_KEY = Buffer.from('unit-test-signing-key-0123456789abcdef');

/** A 40-hex sha made of one repeated digit, so tests can tell commits apart at a glance. */
export const sha = (digit: string): string => digit.repeat(40);

export const ANN = { name: 'Ann Author', email: 'ann@example.com', username: 'ann' };

/**
 * `shop` (main → staging → production behind approval; feature branches → ephemeral), and two services of one
 * monorepo (`api` and `web`) told apart by `paths`.
 */
export const SLIPWAY_YML = `
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: "#shop"
    branches:
      - { match: main, deploy: staging }
      - { match: "dev/feature*", deploy: ephemeral }
    ephemeral: { ports: 9000-9099 }
    approvers: { users: [UBOB, UCAROL, UANN, UPAT], groups: [SRELEASE] }
    environments:
      - { name: staging, port: 8080 }
      - { name: production, port: 8081, requireApproval: true }
  api:
    repo: acme/mono
    image: 127.0.0.1:5000/api
    channel: "#mono"
    paths: ["services/api/**", "libs/**"]
    environments: [{ name: staging, port: 8090 }]
  web:
    repo: acme/mono
    image: 127.0.0.1:5000/web
    channel: "#mono"
    paths: ["services/web/**", "libs/**"]
    environments: [{ name: staging, port: 8091 }]
`;

const parsed = new Map<string, readonly ServiceConfig[]>();

/** The services of `yaml`, parsed once per text: validating a config takes long enough to slow a file of tests. */
export function services(yaml = SLIPWAY_YML): readonly ServiceConfig[] {
  const known = parsed.get(yaml) ?? serviceList(parseConfig(yaml));
  parsed.set(yaml, known);
  return known;
}

/** Run ids in the order they are asked for: `shop-r1`, `shop-r2`, … */
export function sequentialRunIds(): (service: string) => string {
  let next = 0;
  return (service) => `${service}-r${++next}`;
}

/** The ports a request handler takes, in memory, on the fixed clock. */
export function intakePorts(options: Omit<MemoryPortsOptions, 'now'> = {}) {
  return memoryPorts({ now: () => NOW.getTime(), ...options });
}

/** A GitHub push to acme/shop's main, from `before` 1111… to `after` 2222…, as the webhook adapters normalize it. */
export function pushEvent(fields: Partial<PushEvent> = {}): PushEvent {
  const after = fields.after ?? sha('2');
  return {
    host: 'github',
    deliveryId: 'delivery-1',
    repo: { fullName: 'acme/shop', urls: ['https://github.com/acme/shop.git'] },
    ref: 'refs/heads/main',
    before: sha('1'),
    after,
    deleted: false,
    commits: [{ sha: after, message: 'Add the discounts page', author: ANN }],
    author: ANN,
    pusher: ANN,
    ...fields,
  };
}

/** A push to the monorepo acme/mono that changed `changedFiles`. */
export function monorepoPush(changedFiles: string[] | undefined, fields: Partial<PushEvent> = {}): PushEvent {
  return pushEvent({ repo: { fullName: 'acme/mono', urls: ['https://github.com/acme/mono.git'] }, changedFiles, ...fields });
}

/** shop's run of Ann's commit `2…` pushed to main, with the stages slipway plans for it (staging, then production). */
export function shopRun(fields: Partial<NewRun> & Pick<NewRun, 'id'>, at: Date, config: readonly ServiceConfig[] = services()): Run {
  const shop = config.find((s) => s.name === 'shop')!;
  const target = { environment: 'staging', ephemeral: false };
  return newRun(
    {
      service: 'shop',
      trigger: 'push',
      branch: 'main',
      sha: sha('2'),
      before: sha('1'),
      author: ANN,
      triggeredBy: ANN,
      commits: [],
      cloneUrl: 'https://github.com/acme/shop.git',
      target,
      stages: planStages(shop, target),
      ...fields,
    },
    at,
  );
}
