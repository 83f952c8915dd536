import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copiedAnnotations, invalid, type Obj, parseSelector, safeJson, status, templateHash } from './kubernetes-objects.js';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './kubernetes-patches.js';

const run = promisify(execFile);


const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const REVISION = 'deployment.kubernetes.io/revision';

type Pod = { name: string; createdAt: number; ready: boolean };
type Rs = { object: Obj; pods: Pod[] };
type Deployment = { object: Obj; sets: Rs[]; lastProgress: number };

export type Seed = { namespace?: string; name: string; container: string; image: string; replicas?: number; progressDeadlineSeconds?: number };
export type Recorded = { method: string; path: string; query: Record<string, string>; contentType?: string; body?: unknown; authorized: boolean; status: number };

/**
 * The Kubernetes API server at its HTTPS boundary, on 127.0.0.1, for what a deploy of a Deployment asks:
 * GET and PATCH deployments (apps/v1), list ReplicaSets and pods by label selector. It answers as the real one:
 * bearer tokens (401 Status otherwise), patch content types (415 for another), generation bumped on a spec
 * change only, resourceVersion on every change, 404 Status objects. A deployment controller runs on a fake
 * clock (one second per tick): a new template gets a new ReplicaSet revision (or an old one back), replicas roll
 * one at a time (maxSurge 1, maxUnavailable 0), an image marked bad never gets ready and the rollout hits its
 * progress deadline. Every request is recorded; one it does not know is an unexpected call the test fails on.
 */
export class FakeKubernetes {
  readonly requests: Recorded[] = [];
  readonly unexpected: string[] = [];
  /** PEM of the server's self-signed certificate: the kubeconfig's certificate authority. */
  ca = '';
  private server?: Server;
  private timer?: NodeJS.Timeout;
  private readonly deployments = new Map<string, Deployment>();
  private bad: { matches: (image: string) => boolean; reason: string; message: string } = { matches: () => false, reason: '', message: '' };
  private version = 1000;
  private clock = Date.parse('2026-12-01T10:00:00Z');

  constructor(private readonly options: { tokens: string[]; tickMs?: number }) {}

  get url(): string {
    return `https://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(port: number): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'fake-kubernetes-'));
    try {
      await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=kube-apiserver', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });
      this.ca = await readFile(join(dir, 'cert.pem'), 'utf8');
      const key = await readFile(join(dir, 'key.pem'), 'utf8');
      this.server = createServer({ cert: this.ca, key }, (req, res) => {
        void this.handle(req.method ?? '', req.url ?? '', req.headers, req).then(({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        });
      });
      await new Promise<void>((resolve, reject) => {
        this.server!.once('error', reject);
        this.server!.listen(port, '127.0.0.1', resolve);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 50);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }

  /** A kubeconfig (YAML is a superset of JSON) with one context per user token, all on this server. */
  kubeconfig(contexts: { name: string; token: string; namespace?: string }[], current = contexts[0]?.name): string {
    return JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'fake', cluster: { server: this.url, 'certificate-authority-data': Buffer.from(this.ca).toString('base64') } }],
      users: contexts.map((c) => ({ name: c.name, user: { token: c.token } })),
      contexts: contexts.map((c) => ({ name: c.name, context: { cluster: 'fake', user: c.name, namespace: c.namespace } })),
      'current-context': current,
    });
  }

  /** A Deployment as `kubectl apply` and a finished first rollout leave it: revision 1, every replica ready. */
  addDeployment(seed: Seed): void {
    const namespace = seed.namespace ?? 'default';
    const labels = { app: seed.name };
    const object: Obj = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: seed.name, namespace, uid: randomUUID(), generation: 1, resourceVersion: this.nextVersion(), creationTimestamp: this.now(), labels, annotations: {} },
      spec: {
        replicas: seed.replicas ?? 3,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: seed.container, image: seed.image, ports: [{ containerPort: 8080, protocol: 'TCP' }] }], restartPolicy: 'Always' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: seed.progressDeadlineSeconds ?? 600,
      },
      status: { observedGeneration: 0 },
    };
    const deployment: Deployment = { object, sets: [], lastProgress: this.clock };
    this.deployments.set(`${namespace}/${seed.name}`, deployment);
    // The first rollout, finished at once: the tests start from a Deployment that runs.
    this.reconcile(deployment);
    const [first] = deployment.sets;
    first!.object.spec.replicas = object.spec.replicas;
    first!.pods = Array.from({ length: object.spec.replicas }, (_, i) => ({ name: `${first!.object.metadata.name}-${i}`, createdAt: this.clock, ready: true }));
    this.reconcile(deployment);
  }

  /** Pods of the images it matches never get ready; their container waits with this reason (CrashLoopBackOff by default). */
  markBad(matches: (image: string) => boolean, reason = 'CrashLoopBackOff', message = 'back-off 10s restarting failed container'): void {
    this.bad = { matches, reason, message };
  }

  deployment(name: string, namespace = 'default'): Obj {
    return structuredClone(this.deployments.get(`${namespace}/${name}`)?.object);
  }

  /** The ReplicaSets of a Deployment, oldest revision first. */
  replicaSets(name: string, namespace = 'default'): Obj[] {
    const sets = this.deployments.get(`${namespace}/${name}`)?.sets ?? [];
    return sets.map((s) => structuredClone(s.object)).sort((a, b) => Number(a.metadata.annotations[REVISION]) - Number(b.metadata.annotations[REVISION]));
  }

  patches(): Recorded[] {
    return this.requests.filter((r) => r.method === 'PATCH');
  }

  private async handle(method: string, url: string, headers: Record<string, string | string[] | undefined>, body: AsyncIterable<Buffer>): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString();
    const parsed = new URL(url, 'https://127.0.0.1');
    const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : undefined;
    const token = /^Bearer (.+)$/.exec(String(headers.authorization ?? ''))?.[1];
    const record: Recorded = { method, path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), contentType, authorized: !!token && this.options.tokens.includes(token), status: 0 };
    if (text) record.body = safeJson(text);
    this.requests.push(record);
    const answer = this.route(method, parsed, record, text);
    record.status = answer.status;
    return answer;
  }

  private route(method: string, url: URL, record: Recorded, text: string): { status: number; body: unknown } {
    if (!record.authorized) return status(401, 'Unauthorized', 'Unauthorized');
    const deploymentPath = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/deployments\/([^/]+)$/.exec(url.pathname);
    const listPath = /^\/(?:apis\/apps|api)\/v1\/namespaces\/([^/]+)\/(replicasets|pods)$/.exec(url.pathname);
    if (deploymentPath && (method === 'GET' || method === 'PATCH')) {
      const [, namespace, name] = deploymentPath as unknown as [string, string, string];
      const found = this.deployments.get(`${namespace}/${name}`);
      if (!found) return status(404, 'NotFound', `deployments.apps "${name}" not found`, { name, group: 'apps', kind: 'deployments' });
      if (method === 'GET') return { status: 200, body: found.object };
      return this.patch(found, record.contentType, text);
    }
    if (listPath && method === 'GET' && (listPath[2] === 'pods') === url.pathname.startsWith('/api/')) {
      const [, namespace, kind] = listPath as unknown as [string, string, 'replicasets' | 'pods'];
      const selector = parseSelector(url.searchParams.get('labelSelector') ?? '');
      if (!selector) return status(400, 'BadRequest', `unable to parse requirement: ${url.searchParams.get('labelSelector')}`);
      const sets = [...this.deployments.values()].filter((d) => d.object.metadata.namespace === namespace).flatMap((d) => d.sets);
      const items = kind === 'replicasets' ? sets.map((s) => s.object) : sets.flatMap((s) => s.pods.map((p) => this.podObject(s, p)));
      return {
        status: 200,
        body: { kind: kind === 'pods' ? 'PodList' : 'ReplicaSetList', apiVersion: kind === 'pods' ? 'v1' : 'apps/v1', metadata: { resourceVersion: String(this.version) }, items: items.filter((o) => selector(o.metadata.labels ?? {})) },
      };
    }
    this.unexpected.push(`${method} ${url.pathname}${url.search}`);
    return status(404, 'NotFound', 'the server could not find the requested resource');
  }

  private patch(found: Deployment, contentType: string | undefined, text: string): { status: number; body: unknown } {
    const type = contentType?.split(';')[0]?.trim();
    if (type === 'application/apply-patch+yaml') {
      this.unexpected.push('server-side apply: the fake does not implement it');
      return status(500, 'InternalError', 'server-side apply is not implemented by the fake');
    }
    if (!type || !PATCH_TYPES.includes(type)) {
      return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${[...PATCH_TYPES, 'application/apply-patch+yaml', 'application/apply-patch+cbor'].join(', ')}`);
    }
    const patch = safeJson(text);
    if (patch === undefined) return status(400, 'BadRequest', 'error decoding patch: invalid character in JSON');
    const before = found.object;
    let after: Obj;
    try {
      const apply = type === 'application/json-patch+json' ? jsonPatch : type === 'application/merge-patch+json' ? mergePatch : strategicMergePatch;
      after = apply(structuredClone(before), patch);
    } catch (error) {
      if (error instanceof PatchError) return status(error.code, error.code === 400 ? 'BadRequest' : 'Invalid', error.message);
      throw error;
    }
    const name = before.metadata.name;
    if (after?.metadata?.resourceVersion !== undefined && after.metadata.resourceVersion !== before.metadata.resourceVersion) {
      return status(409, 'Conflict', `Operation cannot be fulfilled on deployments.apps "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: 'apps', kind: 'deployments' });
    }
    for (const key of ['name', 'namespace', 'uid'] as const) {
      if (after?.metadata?.[key] !== before.metadata[key]) return status(422, 'Invalid', `Deployment.apps "${name}" is invalid: metadata.${key}: Invalid value: field is immutable`);
    }
    const problem = invalid(after);
    if (problem) return status(422, 'Invalid', `Deployment.apps "${name}" is invalid: ${problem}`);
    // The main resource does not take status changes; only the controller writes status.
    after.status = before.status;
    after.metadata.generation = before.metadata.generation;
    after.metadata.resourceVersion = before.metadata.resourceVersion;
    if (JSON.stringify(after.spec) !== JSON.stringify(before.spec)) after.metadata.generation += 1;
    if (JSON.stringify(after) !== JSON.stringify(before)) after.metadata.resourceVersion = this.nextVersion();
    found.object = after;
    return { status: 200, body: after };
  }

  private tick(): void {
    this.clock += 1000;
    for (const deployment of this.deployments.values()) this.reconcile(deployment);
  }

  /** One pass of the deployment controller over a Deployment. */
  private reconcile(d: Deployment): void {
    const before = JSON.stringify(d.object);
    const desired: number = d.object.spec.replicas;
    const hash = templateHash(d.object.spec.template);
    const newest = () => d.sets.find((s) => s.object.metadata.labels['pod-template-hash'] === hash);
    if (d.object.metadata.generation > (d.object.status.observedGeneration ?? 0)) {
      let fresh = newest();
      const created = !fresh;
      if (!fresh) {
        fresh = { object: this.replicaSetFor(d, hash), pods: [] };
        d.sets.push(fresh);
      }
      // A template seen before takes its old ReplicaSet back, renumbered as the newest revision.
      const revision = Math.max(0, ...d.sets.filter((s) => s !== fresh).map((s) => Number(s.object.metadata.annotations[REVISION]))) + 1;
      if (Number(fresh.object.metadata.annotations[REVISION]) < revision) fresh.object.metadata.annotations[REVISION] = String(revision);
      Object.assign(fresh.object.metadata.annotations, copiedAnnotations(d.object.metadata.annotations));
      d.object.metadata.annotations[REVISION] = fresh.object.metadata.annotations[REVISION];
      d.object.status.observedGeneration = d.object.metadata.generation;
      d.lastProgress = this.clock;
      const rsName = fresh.object.metadata.name;
      this.condition(d, 'Progressing', 'True', created ? 'NewReplicaSetCreated' : 'FoundNewReplicaSet', `${created ? 'Created new' : 'Found new'} replica set "${rsName}"`);
    }
    const fresh = newest();
    if (fresh) this.roll(d, fresh, desired);
    this.writeStatus(d, desired);
    if (JSON.stringify(d.object) !== before) d.object.metadata.resourceVersion = this.nextVersion();
  }

  /** maxSurge 1, maxUnavailable 0: one new pod at a time, an old one removed only when enough are ready without it. */
  private roll(d: Deployment, fresh: Rs, desired: number): void {
    const old = d.sets.filter((s) => s !== fresh);
    const total = () => d.sets.reduce((n, s) => n + s.pods.length, 0);
    const ready = () => d.sets.reduce((n, s) => n + s.pods.filter((p) => p.ready).length, 0);
    const progress = `${fresh.pods.length}/${fresh.pods.filter((p) => p.ready).length}`;
    for (const pod of fresh.pods) if (!pod.ready && !this.badImageOf(fresh) && this.clock > pod.createdAt) pod.ready = true;
    for (const set of old) {
      // Unready old pods go first; a ready one only while the rest still cover every desired replica.
      set.pods.sort((a, b) => Number(a.ready) - Number(b.ready));
      while (set.pods.length > 0 && (!set.pods[0]!.ready || ready() - 1 >= desired)) set.pods.shift();
    }
    if (fresh.pods.length < desired && total() < desired + 1) {
      fresh.pods.push({ name: `${fresh.object.metadata.name}-${randomUUID().slice(0, 5)}`, createdAt: this.clock, ready: false });
    }
    while (fresh.pods.length > desired) fresh.pods.pop();
    for (const set of d.sets) {
      set.object.spec.replicas = set.pods.length;
      set.object.status = { replicas: set.pods.length, readyReplicas: set.pods.filter((p) => p.ready).length, availableReplicas: set.pods.filter((p) => p.ready).length, observedGeneration: 1 };
    }
    if (`${fresh.pods.length}/${fresh.pods.filter((p) => p.ready).length}` !== progress) d.lastProgress = this.clock;
  }

  private writeStatus(d: Deployment, desired: number): void {
    const status = d.object.status;
    const fresh = d.sets.find((s) => s.object.metadata.labels['pod-template-hash'] === templateHash(d.object.spec.template));
    status.replicas = d.sets.reduce((n, s) => n + s.pods.length, 0);
    status.updatedReplicas = fresh?.pods.length ?? 0;
    status.readyReplicas = d.sets.reduce((n, s) => n + s.pods.filter((p) => p.ready).length, 0);
    status.availableReplicas = status.readyReplicas;
    status.unavailableReplicas = Math.max(0, status.replicas - status.availableReplicas);
    this.condition(d, 'Available', status.availableReplicas >= desired ? 'True' : 'False', status.availableReplicas >= desired ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', status.availableReplicas >= desired ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.');
    const progressing = status.conditions?.find((c: Obj) => c.type === 'Progressing');
    const rsName = fresh?.object.metadata.name;
    const complete = status.updatedReplicas === desired && status.replicas === desired && status.availableReplicas === desired;
    if (complete) this.condition(d, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`);
    else if (progressing?.reason !== 'ProgressDeadlineExceeded' && this.clock - d.lastProgress > d.object.spec.progressDeadlineSeconds * 1000) {
      this.condition(d, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rsName}" has timed out progressing.`);
    } else if (progressing?.reason !== 'ProgressDeadlineExceeded' && d.lastProgress === this.clock && progressing?.lastUpdateTime !== this.now()) {
      this.condition(d, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
    }
  }

  private condition(d: Deployment, type: string, value: string, reason: string, message: string): void {
    const conditions: Obj[] = (d.object.status.conditions ??= []);
    const at = this.now();
    const existing = conditions.find((c) => c.type === type);
    if (existing?.status === value && existing.reason === reason && existing.message === message) return;
    const transition = existing?.status === value ? existing.lastTransitionTime : at;
    const next = { type, status: value, lastUpdateTime: at, lastTransitionTime: transition, reason, message };
    if (existing) Object.assign(existing, next);
    else conditions.push(next);
  }

  private replicaSetFor(d: Deployment, hash: string): Obj {
    const template = structuredClone(d.object.spec.template);
    template.metadata.labels = { ...template.metadata.labels, 'pod-template-hash': hash };
    const name = `${d.object.metadata.name}-${hash}`;
    return {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: d.object.metadata.namespace,
        uid: randomUUID(),
        resourceVersion: this.nextVersion(),
        creationTimestamp: this.now(),
        labels: template.metadata.labels,
        annotations: { ...copiedAnnotations(d.object.metadata.annotations), [REVISION]: '0' },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.object.metadata.name, uid: d.object.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: { replicas: 0, selector: { matchLabels: { ...d.object.spec.selector.matchLabels, 'pod-template-hash': hash } }, template },
      status: { replicas: 0 },
    };
  }

  private podObject(set: Rs, pod: Pod): Obj {
    const template = set.object.spec.template;
    const bad = this.badImageOf(set);
    return {
      metadata: { name: pod.name, namespace: set.object.metadata.namespace, labels: template.metadata.labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: set.object.metadata.name, uid: set.object.metadata.uid, controller: true }] },
      spec: template.spec,
      status: {
        phase: pod.ready || bad ? 'Running' : 'Pending',
        conditions: [{ type: 'Ready', status: pod.ready ? 'True' : 'False' }],
        containerStatuses: template.spec.containers.map((c: Obj) => ({
          name: c.name,
          image: c.image,
          ready: pod.ready,
          restartCount: bad ? 3 : 0,
          state: pod.ready ? { running: { startedAt: this.now() } } : bad ? { waiting: bad } : { waiting: { reason: 'ContainerCreating' } },
        })),
      },
    };
  }

  private badImageOf(set: Rs): { reason: string; message: string } | undefined {
    const { matches, reason, message } = this.bad;
    return set.object.spec.template.spec.containers.some((c: Obj) => matches(c.image)) ? { reason, message } : undefined;
  }

  private now(): string {
    return new Date(this.clock).toISOString().replace(/\.\d+Z$/, 'Z');
  }

  private nextVersion(): string {
    this.version += 1;
    return String(this.version);
  }
}
