import type { Channel } from '../src/core/channels.js';
import { approvalProgress, approvalRules } from '../src/core/approval-rules.js';
import { activeFreeze, freezeWindows } from '../src/core/freeze.js';
import { code, section } from '../src/core/messages/blocks.js';
import { whyNot } from '../src/core/why-not.js';
import { type CommandDeps, lastEnvironment, type Reply, serviceAndEnvironment } from './slash-command.js';

/** `/deploy why [service] [env]`: what keeps the newest release out of the environment, one line each. */
export async function deployWhy(parts: string[], deps: CommandDeps, channel: Channel | undefined): Promise<Reply> {
  const { service, environment } = serviceAndEnvironment(deps.services, parts, channel, lastEnvironment);
  const settings = service.environments.find((e) => e.name === environment)!;
  const run = (await deps.runs.listByService(service.name, 100)).find((r) => r.release && r.trigger !== 'rollback' && r.trigger !== 'delete');
  const digest = run?.release?.digest ?? '';
  const [current, lock, passed, approval, votes, quarantine, adHoc] = await Promise.all([
    deps.deployments.current(service.name, environment),
    deps.locks.get(service.name, environment),
    deps.passes.passed(service.name, digest),
    run ? deps.approvals.get(run.id, environment) : undefined,
    run ? deps.approvals.votes(run.id, environment) : [],
    deps.quarantines.get(service.name, environment, digest),
    deps.freezes.get(service.name, environment),
  ]);
  const tag = run?.release?.tag ?? '';
  if (run && current?.release.digest === digest) {
    return { text: `${service.name} ${environment} already runs the newest release, ${code(tag)}.`, visibility: 'ephemeral' };
  }
  const unmet = whyNot({
    service,
    environment,
    newest: run && { run, tag, digest },
    currentDigest: current?.release.digest,
    lock,
    freeze: activeFreeze(freezeWindows(settings.freezes, adHoc), deps.now()),
    passed,
    approval,
    progress: approval && approvalProgress(approvalRules(service, settings, { breakGlass: approval.breakGlass }), votes),
    quarantine,
  });
  const head = `Why ${run ? code(tag) : 'nothing'} is not in *${service.name} ${environment}*:`;
  const text = unmet.length === 0
    ? `Nothing stands in the way of ${code(tag)} to ${service.name} ${environment}: /deploy ${run?.branch ?? service.defaultBranch} to ${environment}`
    : `${head}\n${unmet.map((u) => `• ${u.what} — ${code(u.fix)}`).join('\n')}`;
  return { text, blocks: [section(text)], visibility: 'ephemeral' };
}
