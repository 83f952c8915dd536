import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config.js';
import { secretVariableNames } from '../../../src/core/config-schema.js';

const KEY = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

/** A service whose only environment is `lines` (YAML, indented as an environment's keys). */
function config(lines: string, top = ''): string {
  return `
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: "#shop"
    branches: [{ match: main, deploy: production }]
    environments:
      - name: production
${lines
  .trim()
  .split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}
${top}`;
}
const production = (lines: string, top = '') => parseConfig(config(lines, top)).services.shop?.environments[0];
const refusal = (lines: string, top = '') => {
  try {
    parseConfig(config(lines, top));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
};

describe('target: where an environment runs', () => {
  it('defaults to slipway’s own engine, recreated in place: existing configs keep working', () => {
    expect(production('port: 8080')).toMatchObject({ strategy: 'recreate', env: {}, secrets: {}, restart: 'unless-stopped', volumes: [] });
    expect(production('port: 8080')?.target).toBeUndefined();
  });

  it('takes an ssh host with a pinned host key, and then requires the url', () => {
    const env = production(`port: 8080\nurl: https://shop.example.com\ntarget: { kind: docker, host: "ssh://deploy@web-1.example.com", identityFile: /etc/slipway/key, hostKey: "${KEY}" }`);
    expect(env?.target).toEqual({ kind: 'docker', host: 'ssh://deploy@web-1.example.com', identityFile: '/etc/slipway/key', hostKey: KEY, timeoutSeconds: 30 });
    expect(refusal(`port: 8080\ntarget: { kind: docker, host: "ssh://deploy@web-1", hostKey: "${KEY}" }`)).toMatch(/url.*health checks and synthetics need the environment's url/);
  });

  it('refuses an ssh host without a pinned key, saying how to get it', () => {
    expect(refusal('port: 8080\nurl: https://x.example.com\ntarget: { kind: docker, host: "ssh://deploy@web-1" }')).toMatch(/hostKey.*ssh-keyscan/);
    expect(refusal('port: 8080\nurl: https://x.example.com\ntarget: { kind: docker, host: "ssh://deploy@web-1", hostKey: "AAAA" }')).toMatch(/fingerprint like SHA256/);
  });

  it('requires mutual TLS for a tcp host, and refuses TLS anywhere else', () => {
    const tls = 'tls: { ca: /c/ca.pem, cert: /c/cert.pem, key: /c/key.pem }';
    expect(production(`port: 8080\nurl: https://x.example.com\ntarget: { kind: docker, host: "tcp://web-1:2376", ${tls} }`)?.target).toMatchObject({ tls: { ca: '/c/ca.pem' } });
    expect(refusal('port: 8080\nurl: https://x.example.com\ntarget: { kind: docker, host: "tcp://web-1:2376" }')).toMatch(/tls.*gives root on that host/);
    expect(refusal(`port: 8080\nurl: https://x.example.com\ntarget: { kind: docker, host: "ssh://d@web-1", hostKey: "${KEY}", ${tls} }`)).toMatch(/only a tcp:\/\/ host takes tls/);
    expect(refusal('port: 8080\ntarget: { kind: docker, host: "http://web-1:2376" }')).toMatch(/expected ssh:\/\/user@host/);
    expect(refusal('port: 8080\ntarget: { kind: nomad }')).toMatch(/expected a target kind: docker/);
  });
});

describe('runtime settings and secrets', () => {
  it('reads env, secrets, limits, restart, labels, volumes, command and args', () => {
    const env = production(`
port: 8080
containerPort: 3000
env: { LOG_LEVEL: info }
secrets: { DATABASE_URL: { env: SHOP_DATABASE_URL }, STRIPE_KEY: { file: /etc/slipway/stripe } }
command: [/app/server]
args: [--verbose]
memory: 512MB
cpus: 0.5
restart: on-failure
labels: { com.example.team: payments }
volumes: ["shop-data:/data", "/etc/shop:/config:ro"]`);
    expect(env).toMatchObject({
      containerPort: 3000,
      env: { LOG_LEVEL: 'info' },
      secrets: { DATABASE_URL: { env: 'SHOP_DATABASE_URL' }, STRIPE_KEY: { file: '/etc/slipway/stripe' } },
      command: ['/app/server'],
      args: ['--verbose'],
      memory: 512 * 1024 * 1024,
      cpus: 0.5,
      restart: 'on-failure',
      labels: { 'com.example.team': 'payments' },
      volumes: ['shop-data:/data', '/etc/shop:/config:ro'],
    });
  });

  it.each([
    ['PORT in env', 'env: { PORT: "1" }', /PORT is set by slipway/],
    ['PORT as a secret', 'secrets: { PORT: { env: X } }', /PORT is set by slipway/],
    ['a secret from nowhere', 'secrets: { A: { vault: x } }', /expected \{ env: VARIABLE \} or \{ file:/],
    ['a variable both plain and secret', 'env: { A: "1" }\nsecrets: { A: { env: X } }', /A is in env too/],
    ['a memory size without unit', 'memory: 512', /expected a size like 512MB/],
    ['a memory size Docker refuses', 'memory: 1MB', /at least 6MB/],
    ['a volume without a container path', 'volumes: [data]', /name:\/container\/path/],
    ['a label of slipway’s', 'labels: { slipway.run: x }', /slipway's own/],
    ['an unknown restart policy', 'restart: sometimes', /expected no, always, unless-stopped or on-failure/],
  ])('refuses %s', (_what, lines, message) => {
    expect(refusal(`port: 8080\n${lines}`)).toMatch(message);
  });

  it('names every variable that holds a secret, for scrubbing (a registry user name is none)', () => {
    const parsed = parseConfig(
      config('port: 8080\nsecrets: { DATABASE_URL: { env: SHOP_DATABASE_URL }, K: { file: /k } }', 'registries:\n  127.0.0.1:5000: { usernameEnv: REG_USER, passwordEnv: REG_PASSWORD }'),
    );
    expect(secretVariableNames(parsed).sort()).toEqual(['REG_PASSWORD', 'SHOP_DATABASE_URL']);
  });
});

describe('blue-green', () => {
  it('takes two slot ports and a drain time', () => {
    expect(production('port: 8080\nstrategy: blue-green\nslots: [8081, 8082]\ndrainSeconds: 3')).toMatchObject({ strategy: 'blue-green', slots: [8081, 8082], drainSeconds: 3 });
  });

  it('refuses blue-green without slots, slots without blue-green, and a port taken twice on one host', () => {
    expect(refusal('port: 8080\nstrategy: blue-green')).toMatch(/slots: \[9101, 9102\]/);
    expect(refusal('port: 8080\nslots: [8081, 8082]')).toMatch(/only strategy: blue-green takes slots/);
    expect(refusal('port: 8080\nstrategy: blue-green\nslots: [8081, 8080]')).toMatch(/port 8080 is already used by production/);
  });

  it('needs the admin API of the proxy on a remote host', () => {
    expect(refusal(`port: 8080\nurl: https://x.example.com\nstrategy: blue-green\nslots: [8081, 8082]\ntarget: { kind: docker, host: "ssh://d@web-1", hostKey: "${KEY}" }`)).toMatch(
      /proxy\.admin.*Caddy on that host/,
    );
  });

  it('lets environments on different hosts share a port', () => {
    const two = `
services:
  shop:
    repo: acme/shop
    image: 127.0.0.1:5000/shop
    channel: "#shop"
    environments:
      - { name: staging, port: 8080 }
      - { name: production, port: 8080, url: "https://shop.example.com", target: { kind: docker, host: "ssh://d@web-2", hostKey: "${KEY}" } }
`;
    expect(parseConfig(two).services.shop?.environments.map((e) => e.port)).toEqual([8080, 8080]);
    expect(() => parseConfig(two.replace(', url: "https://shop.example.com", target: { kind: docker, host: "ssh://d@web-2", hostKey: "' + KEY + '" }', ''))).toThrow(/port 8080 is already used by staging/);
  });
});

describe('orchestrators', () => {
  it('refuses a swarm on the host network that would start the new task before stopping the old', () => {
    expect(refusal('port: 8080\nnetwork: host\ntarget: { kind: swarm }')).toMatch(/order: stop-first, or network: bridge/);
    expect(production('port: 8080\nnetwork: host\ntarget: { kind: swarm, update: { order: stop-first } }')?.target).toMatchObject({ kind: 'swarm', replicas: 1 });
  });

  it('takes only the image for a Kubernetes Deployment, and needs its url', () => {
    const k8s = 'target: { kind: kubernetes, deployment: shop, container: app }';
    expect(production(`port: 8080\nurl: https://shop.example.com\n${k8s}`)?.target).toMatchObject({ namespace: 'default', deployTimeoutSeconds: 600 });
    expect(refusal(`port: 8080\n${k8s}`)).toMatch(/url/);
    expect(refusal(`port: 8080\nurl: https://shop.example.com\nenv: { A: "1" }\n${k8s}`)).toMatch(/kubernetes target takes only the image/);
  });
});

describe('registries', () => {
  it('names the variables of each registry’s credentials', () => {
    const parsed = parseConfig(config('port: 8080', 'registries:\n  registry.example.com: { usernameEnv: REG_USER, passwordEnv: REG_PASSWORD }'));
    expect(parsed.registries).toEqual({ 'registry.example.com': { usernameEnv: 'REG_USER', passwordEnv: 'REG_PASSWORD' } });
    expect(() => parseConfig(config('port: 8080', 'registries:\n  "https://r.example.com": { usernameEnv: A, passwordEnv: B }'))).toThrow(/registry host like/);
  });
});
