import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('scripts/services.sh', () => {
  it('is idempotent: run again, it reuses the engine and registry the test run started', async () => {
    const output = execFileSync('bash', ['scripts/services.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toContain(`DOCKER_HOST=${process.env.DOCKER_HOST}`);
    expect(output).toContain('SLIPWAY_REGISTRY=127.0.0.1:5000');

    const registry = await fetch('http://127.0.0.1:5000/v2/');
    expect(registry.status).toBe(200);
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
