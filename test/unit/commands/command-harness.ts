import { commandHelp, commands } from '../../../commands/index.js';
import { resolveCommand } from '../../../commands/resolve-command.js';
import type { RollbackDeps } from '../../../commands/rollback-confirm.js';
import { type CommandDeps, type Reply, runCommand } from '../../../commands/slash-command.js';
import { parseConfig } from '../../../src/config.js';
import type { Channel } from '../../../src/core/channels.js';
import { type People, serviceList } from '../../../src/core/config-schema.js';
import type { Deployment, Release } from '../../../src/core/ports.js';
import { newRun, type NewRun, type Run } from '../../../src/core/run.js';
import { messageViolations } from '../../helpers/block-kit-limits.js';
import { memoryPorts } from '../../memory/memory-ports.js';

/** Every test runs at this instant; nothing in these tests waits. */
export const NOW = new Date('2026-12-01T10:00:00Z');

export const APPROVER = 'UAPPROVER';
/** An approver only through the release group. */
export const GROUP_APPROVER = 'UGROUPMEMBER';
export const DEVELOPER = 'UDEVELOPER';
export const OTHER = 'UOTHER';

export const SHOP_CHANNEL = { id: 'C0SHOP', name: 'shop' };
export const OPS_CHANNEL = { id: 'C0OPS', name: 'ops' };
export const RANDOM_CHANNEL = { id: 'C0RANDOM', name: 'random' };
export const BILLING_CHANNEL = { id: 'C0BILLING', name: 'billing' };

/**
 * `shop`: main → staging → production (approval), `dev/feature*` to ephemeral environments; commands from
 * #shop or the ops channel (by id). The only service, so commands may leave its name out.
 */
export const CONFIG = `
services:
  shop:
    repo: acme/shop
    cloneUrl: https://git.example.com/acme/shop.git
    image: 127.0.0.1:5000/shop
    channel: "#shop"
    channels: [C0OPS]
    approvers: { users: [${APPROVER}], groups: [SRELEASE] }
    branches:
      - { match: main, deploy: staging }
      - { match: "dev/feature*", deploy: ephemeral }
    ephemeral: { ports: 9000-9099 }
    environments:
      - { name: staging, port: 8080 }
      - { name: production, port: 8081, requireApproval: true, freezes: [{ from: "2026-12-24T00:00:00Z", until: "2026-12-27T00:00:00Z", reason: holidays }] }
`;

/** `shop` and `billing`, which has only `owner/name` for its repository: slipway cannot tell where to clone it from. */
export const TWO_SERVICES = `${CONFIG}
  billing:
    repo: acme/billing
    image: 127.0.0.1:5000/billing
    channel: "#billing"
    environments:
      - { name: staging, port: 8090 }
`;

export const people: People = { [DEVELOPER]: { emails: ['dev@example.com'], usernames: ['dev'] } };

export const sha = (c: string) => c.repeat(40);
export const digest = (c: string) => `sha256:${c.repeat(64)}`;

/**
 * A command's world: slipway's commands, the memory ports (as slipway wires them) and a git host whose
 * branches are `heads`. `invoke` goes the way a Slack slash command goes: resolved, then run, and its reply
 * is held to Slack's Block Kit limits, since it goes back in the ack.
 */
export function commandHarness(config = CONFIG) {
  const services = serviceList(parseConfig(config));
  const ports = memoryPorts({
    now: () => NOW.getTime(),
    users: { 'pusher@example.com': 'UPUSHER' },
    groups: { SRELEASE: [GROUP_APPROVER] },
  });
  const heads: Record<string, string> = { main: sha('a'), 'dev/feature-login': sha('b'), 'hotfix/checkout': sha('c') };
  let runs = 0;
  const deps: CommandDeps = {
    ...ports,
    services,
    people,
    commands: commandHelp,
    remindLockHolder: ports.gates.remindLockHolder.bind(ports.gates),
    branchHead: async (_service, _cloneUrl, branch) => heads[branch],
    newRunId: (service) => `${service}-run${++runs}`,
    now: () => NOW,
    targetStatus: async () => ({ health: 'healthy' }),
  };
  const rollbackDeps: RollbackDeps = { ...deps, signingKey: Buffer.alloc(32, 7) };

  /** `channel` null is the local console, where no channel is known. */
  async function invoke(slash: string, text: string, userId: string, channel: Channel | null = SHOP_CHANNEL): Promise<Reply> {
    const resolved = resolveCommand(commands, slash, text);
    if (!resolved) throw new Error(`slipway does not know ${slash}`);
    const reply = await runCommand(resolved.command, deps, { text: resolved.text, userId, userName: userId.toLowerCase(), channel: channel ?? undefined });
    const violations = messageViolations({ text: reply.text, blocks: reply.blocks });
    if (violations.length > 0) throw new Error(`Slack would refuse the reply: ${JSON.stringify(violations)}`);
    return reply;
  }

  /** A run as a worker would have left it, stored without announcing it. */
  async function storedRun(overrides: Partial<NewRun> & { id: string }, change: (run: Run) => Run = (r) => r): Promise<Run> {
    const run = change(
      newRun(
        {
          service: 'shop',
          trigger: 'deploy',
          branch: 'main',
          sha: sha('a'),
          author: { name: 'Dev', email: 'dev@example.com' },
          triggeredBy: { name: 'dev', username: DEVELOPER },
          commits: [],
          cloneUrl: 'https://git.example.com/acme/shop.git',
          target: { environment: 'staging', ephemeral: false },
          stages: ['checkout', 'build', 'push', 'deploy:staging', 'approval:production', 'deploy:production'],
          ...overrides,
        },
        NOW,
      ),
    );
    await ports.runs.create(run);
    return run;
  }

  /** A succeeded deployment of release `c` (sha, digest and tag made of that character). */
  async function deployed(environment: string, c: string, runId: string, at: string, outcome: Deployment['outcome'] = 'succeeded'): Promise<Deployment> {
    const deployment: Deployment = {
      service: 'shop',
      environment,
      release: { sha: sha(c), tag: `main-${c.repeat(7)}`, digest: digest(c), image: '127.0.0.1:5000/shop' },
      port: 8081,
      runId,
      by: DEVELOPER,
      at,
      outcome,
    };
    await ports.deployments.record(deployment);
    return deployment;
  }

  async function release(c: string, runId: string): Promise<Release> {
    const built: Release = { service: 'shop', sha: sha(c), branch: 'main', image: '127.0.0.1:5000/shop', tag: `main-${c.repeat(7)}`, digest: digest(c), runId, createdAt: NOW.toISOString() };
    await ports.releases.save(built);
    return built;
  }

  return { services, ports, deps, rollbackDeps, heads, invoke, storedRun, deployed, release };
}

export type CommandHarness = ReturnType<typeof commandHarness>;
