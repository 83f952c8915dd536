import { afterEach, describe, expect, it } from 'vitest';
import { gitHosts } from '../../../src/adapters/git/git-hosts.js';
import { acceptPush, type PushAnswer } from '../../../src/intake/accept-push.js';
import { BodyBudget } from '../../../src/intake/body-budget.js';
import { serviceWebhookSecrets } from '../../../src/intake/service-webhook-secrets.js';
import { webhookRoute } from '../../../src/intake/webhook-route.js';
import type { GitHost, PushEvent } from '../../../src/core/push-event.js';
import { deliveryHeaders, pushPayload } from '../../helpers/webhook-deliveries.js';
import { intakePorts, NOW, sequentialRunIds, services, SLIPWAY_YML } from './intake-scene.js';
import { post, postWithoutBody, recordingLogger, serveOnLoopback } from './loopback-server.js';

const HOST_SECRET = 'host-wide-secret';
const SHOP_SECRET = 'shop-own-secret';
const SHOP_WITH_OWN_SECRET = SLIPWAY_YML.replace('    repo: acme/shop\n', '    repo: acme/shop\n    webhookSecretEnv: SHOP_WEBHOOK_SECRET\n');

type SceneOptions = {
  secrets?: Record<string, string | undefined>;
  yaml?: string;
  maxBytes?: number;
  budget?: BodyBudget;
  accept?: (event: PushEvent) => Promise<PushAnswer>;
};

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The route as slipway composes it (src/compose/http.ts), with the real git host adapters and memory ports. */
async function webhookScene(options: SceneOptions = {}) {
  const ports = intakePorts();
  const config = services(options.yaml);
  const { log, lines } = recordingLogger();
  const answered: [string, number][] = [];
  const route = webhookRoute({
    hosts: gitHosts,
    secrets: options.secrets ?? { GITHUB_WEBHOOK_SECRET: HOST_SECRET },
    serviceSecrets: serviceWebhookSecrets(config, { SHOP_WEBHOOK_SECRET: SHOP_SECRET }),
    services: config,
    accept: options.accept ?? ((event) => acceptPush(event, { ...ports, services: config, newRunId: sequentialRunIds(), now: () => NOW })),
    log,
    maxBytes: options.maxBytes,
    budget: options.budget,
    answered: (host, status) => answered.push([host, status]),
  });
  const server = await serveOnLoopback((req, res) => void route(req, res, req.url?.replace('/webhooks/', '') ?? ''));
  closers.push(server.close);
  const deliver = (repoUrl: string, secret: string, host: GitHost = 'github') => {
    const body = JSON.stringify(pushPayload(host, { repoUrl }));
    return post(`${server.url}/webhooks/${host}`, body, deliveryHeaders(host, body, secret, { deliveryId: 'delivery-1' }));
  };
  return { ports, lines, answered, url: server.url, deliver };
}

const SHOP = 'https://github.com/acme/shop.git';
const OTHER = 'https://github.com/acme/other.git';

describe('webhookRoute', () => {
  it('relays what acceptPush answers for a verified push, logs it and counts it', async () => {
    const scene = await webhookScene();

    const answer = await scene.deliver(SHOP, HOST_SECRET);

    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ status: 'queued', runId: 'shop-r1', runIds: ['shop-r1'] });
    expect(scene.ports.queue.jobs).toEqual(['shop-r1']);
    expect(scene.answered).toEqual([['github', 202]]);
    expect(scene.lines).toContainEqual(expect.objectContaining({ msg: 'webhook accepted', webhook: 'github', deliveryId: 'delivery-1', runId: 'shop-r1' }));
  });

  it.each([
    ['github', 'GITHUB_WEBHOOK_SECRET'],
    ['gitea', 'GOGS_WEBHOOK_SECRET'],
    ['gitlab', 'GITLAB_WEBHOOK_TOKEN'],
  ] as const)('with no secret configured, refuses %s deliveries (503) naming %s, before reading the body', async (host, variable) => {
    const scene = await webhookScene({ secrets: {} });

    const answer = await postWithoutBody(`${scene.url}/webhooks/${host}`, { ...deliveryHeaders(host, '{}', 'any'), 'content-length': '4096' });

    expect(answer.status).toBe(503);
    expect(answer.json).toEqual({ error: `slipway has no ${variable} set, so it cannot verify ${host} webhooks; set it to the webhook's secret` });
    expect(scene.lines).toContainEqual(expect.objectContaining({ level: 40, msg: 'webhook refused: no secret configured', secretName: variable }));
  });

  it.each([
    [
      'a service with its own secret refuses a delivery signed with the host-wide one',
      SHOP,
      HOST_SECRET,
      401,
      "this delivery is signed with GITHUB_WEBHOOK_SECRET, but it names shop's repository, whose deliveries must be signed with SHOP_WEBHOOK_SECRET: set that secret on the repository's webhook",
    ],
    [
      'a service’s own secret does not sign for a repository slipway does not build',
      OTHER,
      SHOP_SECRET,
      401,
      "this delivery is signed with SHOP_WEBHOOK_SECRET, but it names a repository slipway does not build, whose deliveries must be signed with GITHUB_WEBHOOK_SECRET: set that secret on the repository's webhook",
    ],
  ])('%s', async (_case, repoUrl, secret, status, error) => {
    const scene = await webhookScene({ yaml: SHOP_WITH_OWN_SECRET });

    const answer = await scene.deliver(repoUrl, secret);

    expect(answer).toMatchObject({ status, json: { error } });
    expect(scene.ports.queue.jobs).toEqual([]);
  });

  it('a service with its own secret takes a delivery signed with it', async () => {
    const scene = await webhookScene({ yaml: SHOP_WITH_OWN_SECRET });

    const answer = await scene.deliver(SHOP, SHOP_SECRET);

    expect(answer.status).toBe(202);
    expect(scene.ports.queue.jobs).toEqual(['shop-r1']);
  });

  it('a wrong signature is refused (401) naming every secret it was checked against', async () => {
    const scene = await webhookScene({ yaml: SHOP_WITH_OWN_SECRET });

    const answer = await scene.deliver(SHOP, 'a-guess');

    expect(answer).toMatchObject({
      status: 401,
      json: { error: "x-hub-signature-256 does not match: the webhook's secret differs from GITHUB_WEBHOOK_SECRET or SHOP_WEBHOOK_SECRET" },
    });
    expect(scene.ports.queue.jobs).toEqual([]);
  });

  it.each([
    ['a body larger than the cap', { maxBytes: 1024 }, { 'content-length': '2048' }, 413, { error: 'body is larger than 1024 bytes' }, {}],
    ['a delivery with no signature', {}, { 'content-length': '2048', 'x-hub-signature-256': '' }, 401, { error: 'missing x-hub-signature-256 header' }, {}],
    ['a body when the budget for unverified bodies is spent', { budget: new BodyBudget(0) }, { 'content-length': '2048' }, 503, { error: expect.stringContaining('retry in 5 s') }, { 'retry-after': '5' }],
  ])('refuses %s before reading it, and drops the connection', async (_case, options, headers, status, json, answerHeaders) => {
    const scene = await webhookScene(options);

    const answer = await postWithoutBody(`${scene.url}/webhooks/github`, { ...deliveryHeaders('github', '{}', HOST_SECRET), ...headers });

    expect(answer).toMatchObject({ status, json, headers: { connection: 'close', ...answerHeaders } });
    expect(scene.ports.queue.jobs).toEqual([]);
  });

  it('an unknown git host is 404, listing the known ones', async () => {
    const scene = await webhookScene();

    const answer = await post(`${scene.url}/webhooks/bitbucket`, '{}', { 'content-type': 'application/json' });

    expect(answer).toMatchObject({ status: 404, json: { error: 'unknown git host "bitbucket"; use one of github, gogs, gitea, gitlab' } });
    expect(scene.answered).toEqual([['unknown', 404]]);
  });

  it('a push that cannot be stored is answered 503 so the host redelivers it', async () => {
    const scene = await webhookScene({ accept: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')) });

    const answer = await scene.deliver(SHOP, HOST_SECRET);

    expect(answer).toMatchObject({ status: 503, json: { error: 'slipway could not store this push (its Redis is unreachable); redeliver it once slipway is ready' } });
    expect(scene.lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'webhook not stored', deliveryId: 'delivery-1' }));
  });
});
