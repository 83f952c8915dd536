import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registryAuth } from '../../src/adapters/docker/registry-auth.js';

/** Basic auth as a registry client sends it, from the credentials slipway reads. */
const basic = (auth: { username?: string; password?: string }) => `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;

describe('scripts/services.sh', () => {
  it('is idempotent: run again, it reuses the engine and registry the test run started', async () => {
    const output = execFileSync('bash', ['scripts/services.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toContain(`DOCKER_HOST=${process.env.DOCKER_HOST}`);
    expect(output).toContain('SLIPWAY_REGISTRY=127.0.0.1:5000');
    expect(output).toContain(`DOCKER_CONFIG=${process.env.DOCKER_CONFIG}`);

    // With the credentials it logged in with, the registry lets slipway in (with auth or, before it was
    // restarted with auth, without).
    const auth = await registryAuth('127.0.0.1:5000');
    expect(auth.username).toBe('slipway');
    const registry = await fetch('http://127.0.0.1:5000/v2/', { headers: { authorization: basic(auth) } });
    expect(registry.status).toBe(200);
  });

  it('starts a registry that refuses pushes without credentials and takes them with the ones it logged in with', async () => {
    // A second registry of its own (the tests' registry on :5000 is shared): same engine, its own state.
    const state = await mkdtemp(join(tmpdir(), 'slipway-services-'));
    const env = { ...process.env, SLIPWAY_SERVICES_DIR: state, SLIPWAY_REGISTRY_PORT: '5001' };
    try {
      const output = execFileSync('bash', ['scripts/services.sh'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(output).toContain('SLIPWAY_REGISTRY=127.0.0.1:5001');
      expect(output).toContain(`DOCKER_CONFIG=${join(state, 'docker-config')}`);
      const password = await readFile(join(state, 'registry-password'), 'utf8');
      expect(password).toMatch(/^[0-9a-f]{64}$/);
      expect((await stat(join(state, 'registry-password'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(state, 'docker-config'))).mode & 0o777).toBe(0o700);
      // bcrypt, not the password
      expect(await readFile(join(state, 'registry.htpasswd'), 'utf8')).toMatch(/^slipway:\$2y\$/);

      const upload = 'http://127.0.0.1:5001/v2/sec-infra-services/blobs/uploads/';
      expect((await fetch(upload, { method: 'POST' })).status).toBe(401);
      expect((await fetch(upload, { method: 'POST', headers: { authorization: basic({ username: 'slipway', password: 'guessed' }) } })).status).toBe(401);
      const auth = await registryAuth('127.0.0.1:5001', { DOCKER_CONFIG: join(state, 'docker-config') });
      expect(auth).toEqual({ serveraddress: '127.0.0.1:5001', username: 'slipway', password });
      expect((await fetch(upload, { method: 'POST', headers: { authorization: basic(auth) } })).status).toBe(202);

      // Run again: the registry and its password are reused.
      execFileSync('bash', ['scripts/services.sh'], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(await readFile(join(state, 'registry-password'), 'utf8')).toBe(password);
    } finally {
      // Stops only the registry: the engine's pid file is not in this state directory.
      execFileSync('bash', ['scripts/services.sh', 'stop'], { env, stdio: 'pipe' });
      await rm(state, { recursive: true, force: true });
    }
  });

  it('starts its engine without a bridge network, so containers can only use the host network', () => {
    const ownEngine = process.env.DOCKER_HOST?.endsWith('/.slipway/services/docker.sock');
    const networks = execFileSync('docker', ['network', 'ls', '--format', '{{.Name}}'], { encoding: 'utf8' }).split('\n');
    expect(networks).toContain('host');
    // An engine that was already running (a developer's own) is reused as it is; ours never has a bridge.
    if (ownEngine) expect(networks).not.toContain('bridge');
  });

  it('refuses an unknown action with its usage', () => {
    expect(() => execFileSync('bash', ['scripts/services.sh', 'restart'], { stdio: 'pipe' })).toThrow(/usage: .*\[start\|stop\]/);
  });
});
