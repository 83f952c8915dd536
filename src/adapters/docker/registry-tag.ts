import { z } from 'zod';
import type { ImageTagger, ReleaseStepResult } from '../../core/ports.js';
import { type RegistryAuth, registryOf } from './registry-auth.js';

/** Every manifest kind a pushed image may have: asked for as they are, so the bytes (and the digest) stay the same. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const TokenAnswer = z.object({ token: z.string().optional(), access_token: z.string().optional() });

type Fetch = typeof fetch;

/** A registry that does not answer within this long fails the step (the deploy stands; the thread says so). */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Tags an image in its registry by digest through the Registry HTTP API v2: the manifest is read by digest and
 * put back under the new tag, byte for byte (no pull, no layers moved). The registry's credentials are
 * slipway's (registry-auth.ts); a 401 is answered with Basic auth or the token its challenge names.
 */
export function registryImageTagger(credentials: (registry: string) => Promise<RegistryAuth>, fetchImpl: Fetch = fetch): ImageTagger {
  return {
    async tag(image: string, digest: string, tag: string): Promise<ReleaseStepResult> {
      const registry = registryOf(image);
      const name = image.slice(registry.length + 1);
      const base = `${isLoopback(registry) ? 'http' : 'https'}://${registry}/v2/${name}/manifests`;
      const session = registrySession(await credentials(registry), fetchImpl);

      const existing = await session.send('HEAD', `${base}/${encodeURIComponent(tag)}`, { accept: MANIFEST_TYPES });
      if (existing.ok) {
        const at = existing.headers.get('docker-content-digest');
        if (at === digest) return 'existed';
        throw new Error(`${image}:${tag} exists already on ${at ?? 'another digest'}, not on ${digest}`);
      }
      if (existing.status !== 404) throw new Error(`${registry} answered ${existing.status} when asked for ${name}:${tag}`);

      const manifest = await session.send('GET', `${base}/${digest}`, { accept: MANIFEST_TYPES });
      if (!manifest.ok) throw new Error(`${registry} answered ${manifest.status} when asked for the manifest of ${name}@${digest}`);
      const body = Buffer.from(await manifest.arrayBuffer());
      const type = manifest.headers.get('content-type') ?? 'application/vnd.docker.distribution.manifest.v2+json';
      const put = await session.send('PUT', `${base}/${encodeURIComponent(tag)}`, { 'content-type': type }, body);
      if (put.status !== 201 && put.status !== 200) throw new Error(`${registry} answered ${put.status} to tagging ${name}:${tag}: ${(await put.text()).slice(0, 200)}`);
      const made = put.headers.get('docker-content-digest');
      if (made && made !== digest) throw new Error(`${registry} stored ${name}:${tag} as ${made}, not ${digest}`);
      return 'created';
    },
  };
}

/** Requests to one registry, answering its 401 challenges (Basic, or Bearer with a token from its realm) once each. */
function registrySession(auth: RegistryAuth, fetchImpl: Fetch) {
  let authorization: string | undefined;
  const basic = auth.username && auth.password ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : undefined;

  async function answer(challenge: string): Promise<string | undefined> {
    if (/^basic/i.test(challenge)) return basic;
    if (!/^bearer/i.test(challenge)) return undefined;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) return undefined;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    if (params.scope) url.searchParams.set('scope', params.scope);
    const res = await fetchImpl(url, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`the registry's token service answered ${res.status}: check the registry's credentials`);
    const { token, access_token: accessToken } = TokenAnswer.parse(await res.json());
    return token ?? accessToken ? `Bearer ${token ?? accessToken}` : undefined;
  }

  return {
    async send(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<Response> {
      const go = () => fetchImpl(url, { method, headers: { ...headers, ...(authorization ? { authorization } : {}) }, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      let res = await go();
      if (res.status !== 401) return res;
      const challenge = res.headers.get('www-authenticate') ?? '';
      await res.arrayBuffer().catch(() => undefined);
      const next = await answer(challenge);
      if (!next) throw new Error(`the registry wants credentials (${challenge.split(' ')[0] || 'no challenge'}) slipway does not have: set them under registries in slipway.yml or docker login`);
      authorization = next;
      res = await go();
      if (res.status === 401) throw new Error('the registry refused slipway\'s credentials (401)');
      return res;
    },
  };
}

function isLoopback(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
