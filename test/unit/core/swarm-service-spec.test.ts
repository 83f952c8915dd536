import { describe, expect, it } from 'vitest';
import { swarmSecretName, swarmServiceSpec } from '../../../src/core/swarm-service-spec.js';
import { Runtime, SwarmTarget } from '../../../src/core/target-schema.js';

const labels = { 'slipway.service': 'shop', 'slipway.environment': 'staging', 'slipway.run': 'r1', 'slipway.sha': 'a'.repeat(40) };
const image = '127.0.0.1:5000/shop@sha256:abc';
const request = (over: { target?: object; runtime?: object; network?: 'host' | 'bridge' } = {}) => ({
  spec: { container: 'shop-staging', port: 8080, network: over.network ?? 'bridge', runtime: Runtime.parse(over.runtime ?? {}) },
  target: SwarmTarget.parse({ kind: 'swarm', ...over.target }),
  image,
  labels,
  secrets: [],
});

describe('swarmServiceSpec', () => {
  it('names the service for the environment, labels it and its tasks, and always rolls a failed update back', () => {
    const spec = swarmServiceSpec(request({ target: { replicas: 3, update: { parallelism: 2, delaySeconds: 1.5, order: 'stop-first', monitorSeconds: 10 } } }));
    expect(spec.Name).toBe('shop-staging');
    expect(spec.Labels).toEqual(labels);
    expect(spec.TaskTemplate.ContainerSpec.Labels).toEqual(labels);
    expect(spec.Mode).toEqual({ Replicated: { Replicas: 3 } });
    expect(spec.UpdateConfig).toEqual({ Parallelism: 2, Delay: 1.5e9, FailureAction: 'rollback', Monitor: 10e9, MaxFailureRatio: 0, Order: 'stop-first' });
    expect(spec.RollbackConfig).toMatchObject({ Parallelism: 2, FailureAction: 'pause', Order: 'stop-first' });
  });

  it('takes limits, constraints, the health check and the restart policy from the config', () => {
    const spec = swarmServiceSpec(request({
      target: { constraints: ['node.role==worker'], healthCheck: { command: ['wget', '-qO-', 'http://127.0.0.1:8080/healthz'], intervalSeconds: 2, retries: 4 } },
      runtime: { memory: '256MB', cpus: 0.5, restart: 'on-failure', command: ['/app/run'], args: ['--fast'], volumes: ['data:/data', '/srv/cfg:/cfg:ro'] },
    }));
    expect(spec.TaskTemplate.Resources.Limits).toEqual({ MemoryBytes: 256 * 1024 * 1024, NanoCPUs: 5e8 });
    expect(spec.TaskTemplate.Placement.Constraints).toEqual(['node.role==worker']);
    expect(spec.TaskTemplate.ContainerSpec.Healthcheck).toEqual({ Test: ['CMD', 'wget', '-qO-', 'http://127.0.0.1:8080/healthz'], Interval: 2e9, Timeout: 3e9, Retries: 4, StartPeriod: 0 });
    expect(spec.TaskTemplate.RestartPolicy).toEqual({ Condition: 'on-failure' });
    expect(spec.TaskTemplate.ContainerSpec).toMatchObject({ Command: ['/app/run'], Args: ['--fast'] });
    expect(spec.TaskTemplate.ContainerSpec.Mounts).toEqual([
      { Type: 'volume', Source: 'data', Target: '/data', ReadOnly: false },
      { Type: 'bind', Source: '/srv/cfg', Target: '/cfg', ReadOnly: true },
    ]);
  });

  it('host networking: the host network and the environment port; otherwise the routing mesh publishes the port', () => {
    const host = swarmServiceSpec(request({ network: 'host', runtime: { containerPort: 3000 } }));
    expect(host.TaskTemplate.Networks).toEqual([{ Target: 'host' }]);
    expect(host.EndpointSpec).toBeUndefined();
    expect(host.TaskTemplate.ContainerSpec.Env).toEqual(['PORT=8080']);
    const mesh = swarmServiceSpec(request({ runtime: { containerPort: 3000 } }));
    expect(mesh.TaskTemplate.Networks).toBeUndefined();
    expect(mesh.EndpointSpec).toEqual({ Ports: [{ Protocol: 'tcp', TargetPort: 3000, PublishedPort: 8080, PublishMode: 'ingress' }] });
    expect(mesh.TaskTemplate.ContainerSpec.Env).toEqual(['PORT=3000']);
  });

  it('secrets are files with <NAME>_FILE pointing at them: no value in the spec', () => {
    const spec = swarmServiceSpec({ ...request({ runtime: { env: { MODE: 'live' } } }), secrets: [{ variable: 'API_TOKEN', id: 'sec1', name: 'shop-staging_API_TOKEN_0123456789ab' }] });
    expect(spec.TaskTemplate.ContainerSpec.Env).toEqual(['MODE=live', 'API_TOKEN_FILE=/run/secrets/API_TOKEN', 'PORT=8080']);
    expect(spec.TaskTemplate.ContainerSpec.Secrets).toEqual([{ SecretID: 'sec1', SecretName: 'shop-staging_API_TOKEN_0123456789ab', File: { Name: 'API_TOKEN', UID: '0', GID: '0', Mode: 0o444 } }]);
  });
});

describe('swarmSecretName', () => {
  it('is one name per value version, valid for Docker (at most 64 characters), and never the value', () => {
    const a = swarmSecretName('shop-staging', 'API_TOKEN', 'value-1');
    expect(a).toMatch(/^shop-staging_API_TOKEN_[0-9a-f]{12}$/);
    expect(swarmSecretName('shop-staging', 'API_TOKEN', 'value-1')).toBe(a);
    expect(swarmSecretName('shop-staging', 'API_TOKEN', 'value-2')).not.toBe(a);
    expect(swarmSecretName('shop-production', 'API_TOKEN', 'value-1')).not.toBe(a);
    const long = swarmSecretName(`${'s'.repeat(63)}`, 'A_VERY_LONG_VARIABLE_NAME_FOR_A_SECRET', 'v');
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^[a-zA-Z0-9]+([a-zA-Z0-9-_.]*[a-zA-Z0-9])?$/);
    expect(long).not.toBe(swarmSecretName(`${'s'.repeat(63)}`, 'A_VERY_LONG_VARIABLE_NAME_FOR_A_SECRET_2', 'v'));
  });
});
