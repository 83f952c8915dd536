import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, AppsV1Api, KubeConfig, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpHealthChecks } from '../../src/adapters/http/health-checks.js';
import { kubernetesTarget } from '../../src/adapters/kubernetes/kubernetes-target.js';
import { type EmbeddedRedis, startEmbeddedRedis } from '../../src/adapters/redis/embedded-redis.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { parseConfig } from '../../src/config.js';
import { serviceList } from '../../src/core/config-schema.js';
import { environmentSpec } from '../../src/core/environment-spec.js';
import type { Run } from '../../src/core/run.js';
import { FakeKubernetes } from '../fakes/fake-kubernetes.js';
import { until } from '../helpers/run-watch.js';
import { SIGNER_CHANNELS, sampleConfig } from '../helpers/sample-config.js';
import { listenOnLoopback } from '../helpers/listen-on-loopback.js';
import { useSlackStack } from '../helpers/slack-stack.js';

// Issue 17 §2: a release built and pushed for real, deployed through the real pipeline to a Kubernetes
// Deployment. No cluster runs on these machines: the API server is test/fakes/fake-kubernetes.ts (HTTPS, bearer
// tokens, patch content types, generations, a deployment controller on a fake clock). The environment's url
// is a small HTTP server standing in for the service's ingress.
const PORTS = {
  api: 24201,
  slipway: 24205,
  redis: 24206,
  ingress: 24210,
};
const SERVICE = 'kube';
const IMAGE = '127.0.0.1:5000/slipway-e2e-kubernetes';
const BOB = 'U0BOB';
/** The deployer's token, and one the API server does not know. */
const GOOD_TOKEN = 'deployer-token-0123456789';
const BAD_TOKEN = 'revoked-token-9876543210';

const config = (repoUrl: string, target: Record<string, unknown>) =>
  sampleConfig({
    service: SERVICE,
    repoUrl,
    image: IMAGE,
    ...SIGNER_CHANNELS,
    approvers: { users: [BOB] },
    staging: {
      port: 8080,
      url: `http://127.0.0.1:${PORTS.ingress}`,
      healthTimeoutSeconds: 10,
      target: { kind: 'kubernetes', namespace: 'shop', deployment: 'web', container: 'app', deployTimeoutSeconds: 30, ...target },
    },
  });

let dir: string;
let kubeconfig: string;
let api: FakeKubernetes;
let redis: EmbeddedRedis;
let ingress: { seen: string[]; stop(): Promise<void> };
/** The target every test but the credential ones uses: the kubeconfig's `deployer` context (not its current one). */
const DEPLOYER = () => ({ kubeconfig, context: 'deployer' });

/** slipway again on the file's Redis, deploying to `target`. */
const start = (target: Record<string, unknown>) => stack.restart((repoUrl) => config(repoUrl, target));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-kubernetes-'));
  // One fake second per 300 ms: slow enough for slipway (reading every 500 ms) to see a rollout's steps.
  api = new FakeKubernetes({ tokens: [GOOD_TOKEN], tickMs: 300 });
  await api.start(PORTS.api);
  // Three replicas of an image slipway did not build; a rollout stuck for 10 (fake) seconds is past its deadline.
  api.addDeployment({ namespace: 'shop', name: 'web', container: 'app', image: 'registry.example.com/web:v0', replicas: 3, progressDeadlineSeconds: 10 });
  kubeconfig = join(dir, 'kubeconfig');
  // The current context is someone else's, with a revoked token: slipway must use the context it is told.
  await writeFile(kubeconfig, api.kubeconfig([{ name: 'intruder', token: BAD_TOKEN }, { name: 'deployer', token: GOOD_TOKEN }], 'intruder'), { mode: 0o600 });
  ingress = await startIngress(PORTS.ingress);
  redis = await startEmbeddedRedis(join(dir, 'redis'), { port: PORTS.redis });
}, 120_000);

afterAll(async () => {
  await ingress?.stop();
  await api?.stop();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 120_000);

afterEach(() => {
  expect(api.unexpected).toEqual([]);
});

const stack = useSlackStack({
  config: (repoUrl) => config(repoUrl, DEPLOYER()),
  env: { PORT: String(PORTS.slipway) },
  processEnv: process.env,
  redis: () => redis,
});

const pushVersion = (version: string) => stack.repo.pushVersion(version);

/** `/rollback ENV` by Bob, confirmed with the button its answer carries; the rollback's run id. */
const rollBack = (environment: string) => stack.users.rollBack(environment, BOB, 'deploys');

const imageOf = (run: Run) => {
  if (!run.release) throw new Error(`run ${run.id} has no release`);
  return `${IMAGE}@${run.release.digest}`;
};
const deployed = () => api.deployment('web', 'shop');
const containerImage = () => deployed().spec.template.spec.containers.find((c: { name: string }) => c.name === 'app').image as string;
const deployLog = async (runId: string) => (await new RedisLogStore(stack.slipway.redis).read(runId, 'deploy:staging')).join('\n');

describe('deploying to a Kubernetes Deployment (against the fake API server)', { timeout: 240_000 }, () => {
  const runs: Record<string, Run> = {};

  it('sets the container image to the digest with a strategic merge patch, annotated with the run, and follows the rollout to the end', async () => {
    const runId = await pushVersion('k1');
    const run = await stack.watch.settled(runId, { status: 'passed' });
    runs.k1 = run;

    const deployment = deployed();
    expect(containerImage()).toBe(imageOf(run));
    expect(deployment.metadata.annotations).toMatchObject({
      'slipway.dev/run': runId,
      'slipway.dev/sha': run.sha,
      'kubernetes.io/change-cause': expect.stringContaining(runId),
      'deployment.kubernetes.io/revision': '2',
    });
    expect(deployment.metadata.generation).toBe(2);
    expect(deployment.status).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    // One patch, of the kind that merges the containers list by name (the other container fields are kept).
    const [patch, ...others] = api.patches();
    expect(others).toEqual([]);
    expect(patch).toMatchObject({ path: '/apis/apps/v1/namespaces/shop/deployments/web', contentType: 'application/strategic-merge-patch+json', status: 200 });
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 8080, protocol: 'TCP' }]);
    // The new revision's ReplicaSet carries the run, as `kubectl rollout history` shows it.
    expect(api.replicaSets('web', 'shop').map((rs) => [rs.metadata.annotations['deployment.kubernetes.io/revision'], rs.spec.replicas])).toEqual([['1', 0], ['2', 3]]);
    expect(api.replicaSets('web', 'shop')[1].metadata.annotations['slipway.dev/run']).toBe(runId);

    const log = await deployLog(runId);
    expect(log).toContain(`deploying ${imageOf(run)} to staging (kubernetes shop/web, recreate)`);
    // Progress as the rollout went (which steps were seen depends on timing), then the end.
    expect(log).toMatch(/web: ([0-2]\/3 replicas updated|[0-2]\/3 updated replicas available|\d old replicas? pending termination)\n/);
    expect(log).toContain('web: 3/3 replicas updated and available');
    // The health check went through the environment's url (the ingress), after the rollout.
    expect(ingress.seen).toContain('/healthz');
  });

  it('reports ready/desired replicas and the running image as the cluster has them, in /slipway status too', async () => {
    const spec = environmentSpec(serviceList(parseConfig(config(stack.repo.url, DEPLOYER())))[0]!, 'staging')!;
    const status = await kubernetesTarget(spec, { health: httpHealthChecks }).status();
    expect(status).toEqual({
      running: { image: imageOf(runs.k1!), runId: runs.k1!.id, sha: runs.k1!.sha },
      replicas: { ready: 3, desired: 3 },
      health: 'healthy',
    });
    // And as /slipway status shows it: no warning, since the cluster runs what slipway deployed.
    const shown = JSON.stringify((await stack.users.command('/slipway', `status ${SERVICE}`, BOB, 'deploys')).json);
    expect(shown).toContain('healthy · 3/3 replicas ready');
    expect(shown).not.toContain('not what slipway deployed');
  });

  it('an image that never gets ready hits the progress deadline: the rollout is undone to the previous revision and the failure names why', async () => {
    const good = imageOf(runs.k1!);
    api.markBad((image) => image !== good && image.startsWith(IMAGE));
    const patchesBefore = api.patches().length;
    const runId = await pushVersion('k2');
    const run = await stack.watch.settled(runId, { status: 'failed' });
    api.markBad(() => false);

    expect(run.failure?.stage).toBe('deploy:staging');
    const cause = run.failure!.cause;
    expect(cause).toMatch(/^the rollout exceeded its progress deadline \(ReplicaSet "web-[0-9a-f]+" has timed out progressing\.\)/);
    expect(cause).toMatch(/pods: web-[0-9a-f]+-\w+: CrashLoopBackOff \(back-off 10s restarting failed container\)/);
    expect(cause).toMatch(/undone to revision 2; staging stays on its previous release$/);
    // The Deployment runs k1 again, with k1's run in its annotations; the failed ReplicaSet has no pods left.
    await until(async () => (deployed().status.updatedReplicas === 3 && deployed().status.replicas === 3 ? true : undefined), 'the undo to finish');
    expect(containerImage()).toBe(good);
    expect(deployed().metadata.annotations['slipway.dev/run']).toBe(runs.k1!.id);
    const sets = api.replicaSets('web', 'shop');
    expect(sets.map((rs) => rs.metadata.annotations['deployment.kubernetes.io/revision'])).toEqual(['1', '3', '4']);
    expect(sets.find((rs) => rs.metadata.annotations['deployment.kubernetes.io/revision'] === '3').spec.replicas).toBe(0);
    // Set, then undone as `kubectl rollout undo` does it: one JSON patch of the template and annotations.
    const patches = api.patches().slice(patchesBefore);
    expect(patches.map((p) => p.contentType)).toEqual(['application/strategic-merge-patch+json', 'application/json-patch+json']);
    expect((patches[1]!.body as { path: string }[]).map((op) => op.path)).toEqual(['/spec/template', '/metadata/annotations']);
    // The alert in the channel says it.
    const alert = await until(async () => stack.slack.callsOf('chat.postMessage').find((c) => !c.args.thread_ts && String(c.args.text).includes('failed at') && String(c.args.blocks).includes(runId)), 'the failure alert');
    expect(String(alert.args.text)).toContain('exceeded its progress deadline');
    const log = await deployLog(runId);
    expect(log).toContain('undoing the rollout: back to revision 2');
  });

  it('/rollback sets the previous release\'s digest on the Deployment', async () => {
    const k3 = await stack.watch.settled(await pushVersion('k3'), { status: 'passed' });
    expect(containerImage()).toBe(imageOf(k3));

    const rollbackId = await rollBack('staging');
    const rolledBack = await stack.watch.settled(rollbackId);
    expect(rolledBack).toMatchObject({ trigger: 'rollback', status: 'passed', stages: [{ name: 'deploy:staging', status: 'passed' }] });
    expect(containerImage()).toBe(imageOf(runs.k1!));
    expect(deployed().metadata.annotations['slipway.dev/run']).toBe(rollbackId);
    // k1's template came back: its ReplicaSet is renumbered the newest revision, no new one is made.
    const sets = api.replicaSets('web', 'shop');
    expect(sets.length).toBe(4);
    expect(sets.at(-1).spec.template.spec.containers[0].image).toBe(imageOf(runs.k1!));
    await stack.users.command('/slipway', 'unlock staging', BOB, 'deploys');
  });

  it('the API server takes patches only in the content types it knows (415 otherwise), as the real one', async () => {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfig);
    config.setCurrentContext('deployer');
    const apps = config.makeApiClient(AppsV1Api);
    const before = deployed().metadata.resourceVersion;
    const refused = await apps
      .patchNamespacedDeployment({ name: 'web', namespace: 'shop', body: { spec: { replicas: 1 } } }, setHeaderOptions('Content-Type', 'application/json'))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiException);
    expect(refused).toMatchObject({ code: 415 });
    expect(JSON.parse(String((refused as ApiException<string>).body))).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType' });
    expect(deployed().metadata.resourceVersion).toBe(before);
    const missing = await apps.readNamespacedDeployment({ name: 'nope', namespace: 'shop' }).catch((error: unknown) => error);
    expect(missing).toMatchObject({ code: 404 });
    expect(JSON.parse(String((missing as ApiException<string>).body))).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'deployments.apps "nope" not found' });
  });

  it('wrong credentials (401) and an unknown context fail the deploy with one sentence saying what to fix; nothing changes', async () => {
    const before = deployed();
    await start({ kubeconfig, context: 'intruder' });
    const refused = await stack.watch.settled(await pushVersion('k4'));
    expect({ status: refused.status, failure: refused.failure }).toEqual({
      status: 'failed',
      failure: {
        stage: 'deploy:staging',
        cause: `the Kubernetes API at ${api.url} (context intruder) refused slipway's credentials (401 Unauthorized): the token or certificate of context intruder is wrong or expired; renew it in the kubeconfig; staging stays on its previous release`,
      },
    });
    expect(api.requests.filter((r) => !r.authorized).length).toBeGreaterThan(0);
    expect(api.requests.filter((r) => !r.authorized).every((r) => r.status === 401)).toBe(true);

    await start({ kubeconfig, context: 'staging-cluster' });
    const unknown = await stack.watch.settled(await pushVersion('k5'));
    expect(unknown.failure?.cause).toBe(`${kubeconfig} has no context staging-cluster (it has: intruder, deployer): set target.context to one of them; staging stays on its previous release`);

    expect(deployed().metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    await start(DEPLOYER());
  });
});

/** The service's ingress as slipway reaches it: healthy, and recording what it is asked. */
async function startIngress(port: number) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  return { seen, stop: await listenOnLoopback(server, port) };
}
