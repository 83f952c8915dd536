import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registryAuth, registryCredentials, registryOf } from '../../src/adapters/docker/registry-auth.js';

let dir: string;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const configWith = async (json: unknown) => {
  await writeFile(join(dir, 'config.json'), typeof json === 'string' ? json : JSON.stringify(json));
  return { DOCKER_CONFIG: dir };
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-docker-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('registryAuth', () => {
  it('reads auths[host].auth (base64 user:password) as docker login writes it; a colon may be in the password', async () => {
    const env = await configWith({ auths: { '127.0.0.1:5000': { auth: b64('slipway:pa:ss') } }, credsStore: 'ignored' });
    expect(await registryAuth('127.0.0.1:5000', env)).toEqual({ serveraddress: '127.0.0.1:5000', username: 'slipway', password: 'pa:ss' });
  });

  it('finds keys written as URLs by older clients', async () => {
    const env = await configWith({ auths: { 'http://127.0.0.1:5000/v1/': { auth: b64('a:b') } } });
    expect(await registryAuth('127.0.0.1:5000', env)).toMatchObject({ username: 'a', password: 'b' });
  });

  it('sends the address alone when there is no entry, no auth in it, or no file (a registry without auth)', async () => {
    expect(await registryAuth('127.0.0.1:5000', await configWith({ auths: { 'other:5000': { auth: b64('a:b') } } }))).toEqual({ serveraddress: '127.0.0.1:5000' });
    expect(await registryAuth('127.0.0.1:5000', await configWith({ auths: { '127.0.0.1:5000': {} } }))).toEqual({ serveraddress: '127.0.0.1:5000' });
    expect(await registryAuth('127.0.0.1:5000', { DOCKER_CONFIG: join(dir, 'missing') })).toEqual({ serveraddress: '127.0.0.1:5000' });
  });

  it('says which file is broken and what to do, without its contents', async () => {
    await expect(registryAuth('127.0.0.1:5000', await configWith('{ not json'))).rejects.toThrow(/config\.json is not a Docker client config .*docker login/);
    const env = await configWith({ auths: { '127.0.0.1:5000': { auth: b64('no-colon-secret') } } });
    const error = await registryAuth('127.0.0.1:5000', env).then(() => new Error('expected a refusal'), (e: unknown) => e as Error);
    expect(error.message).toMatch(/not base64 of user:password; run docker login 127\.0\.0\.1:5000 again/);
    expect(error.message).not.toContain('no-colon-secret');
  });
});

describe('registryCredentials (registries in slipway.yml)', () => {
  const configured = { 'registry.example.com': { usernameEnv: 'REG_USER', passwordEnv: 'REG_PASSWORD' } };

  it('takes a listed registry’s credentials from the variables it names', async () => {
    const credentials = registryCredentials(configured, { REG_USER: 'ci', REG_PASSWORD: 'pa:ss' });
    expect(await credentials('registry.example.com')).toEqual({ serveraddress: 'registry.example.com', username: 'ci', password: 'pa:ss' });
  });

  it('names the unset variables of a listed registry, never a value', async () => {
    const credentials = registryCredentials(configured, { REG_USER: 'ci-user-name' });
    const error = await credentials('registry.example.com').then(() => new Error('expected a refusal'), (e: unknown) => e as Error);
    expect(error.message).toBe("the credentials of registry registry.example.com are not set: REG_PASSWORD (registries in slipway.yml) must be in slipway's environment");
  });

  it('leaves a registry it does not list to docker login’s credentials', async () => {
    const env = await configWith({ auths: { 'other.example.com': { auth: b64('a:b') } } });
    vi.stubEnv('DOCKER_CONFIG', env.DOCKER_CONFIG);
    try {
      expect(await registryCredentials(configured, {})('other.example.com')).toEqual({ serveraddress: 'other.example.com', username: 'a', password: 'b' });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('finds the registry of an image reference', () => {
    expect(registryOf('127.0.0.1:5000/shop@sha256:abc')).toBe('127.0.0.1:5000');
  });
});
