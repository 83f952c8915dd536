import type { Run } from './run.js';

export type CommitState = { state: 'pending' | 'success' | 'failure' | 'error'; description: string };

/**
 * slipway's verdict on a commit, as a git host shows it on pull requests: pending while it runs, success once
 * it passed what it could pass alone (a gate waiting for people is a success), failure when it failed.
 */
export function commitState(run: Run): CommitState | undefined {
  if (run.trigger === 'delete' || run.trigger === 'rollback') return undefined;
  const deployed = run.stages.filter((s) => s.name.startsWith('deploy:') && s.status === 'passed').map((s) => s.name.slice('deploy:'.length));
  const where = deployed.length > 0 ? `deployed to ${deployed.join(', ')}` : 'passed';
  const text = (description: string) => description.slice(0, 140);
  switch (run.status) {
    case 'queued':
      return { state: 'pending', description: 'queued' };
    case 'running': {
      const stage = run.stages.find((s) => s.status === 'running');
      return { state: 'pending', description: text(stage ? `running ${stage.name}` : 'running') };
    }
    case 'waiting': {
      const gate = run.stages.find((s) => s.status === 'running' && s.name.startsWith('approval:'));
      return { state: 'success', description: text(`${where}; waiting for approval of ${gate?.name.slice('approval:'.length) ?? 'the next environment'}`) };
    }
    case 'passed':
      return { state: 'success', description: text(where) };
    case 'failed':
      return { state: 'failure', description: text(`failed at ${run.failure?.stage ?? 'a stage'}: ${run.failure?.cause ?? ''}`) };
    case 'cancelled':
    case 'superseded':
      return { state: 'error', description: run.status };
  }
}
