import { historyMessage } from '../src/core/messages/status-message.js';
import type { Deployment } from '../src/core/ports.js';
import { pickService, serviceAndEnvironment, type SlashCommand, words } from './slash-command.js';

/** `/slipway history [service] [env]`: the last 10 deployments with outcome, version and who, and the audit log. */
export const historyCommand: SlashCommand<string[]> = {
  name: '/slipway history',
  usage: '/slipway history [service] [env]',
  example: '/slipway history discounts production',
  summary: 'the last 10 deployments with outcome, version and who, and the audit log',
  args: words,
  async run(parts, deps, invocation) {
    const onlyService = parts.length === 1 && deps.services.some((s) => s.name === parts[0]);
    const { service, environment } =
      parts.length === 0 || onlyService
        ? { service: pickService(deps.services, parts[0], invocation.channel), environment: undefined }
        : serviceAndEnvironment(deps.services, parts, invocation.channel);
    const environments = environment ? [environment] : service.environments.map((e) => e.name);
    const deployments: Deployment[] = (await Promise.all(environments.map((e) => deps.deployments.history(service.name, e, 10))))
      .flat()
      .sort((a, b) => b.at.localeCompare(a.at))
      .slice(0, 10);
    const audit = await deps.audit.list(service.name, environment, 10);
    // Each deployment's version, when its release was made one (`releases:`); a version is one per sha.
    const versions = service.releases ? await deps.versions.list(service.name, 100) : [];
    const versionOf = new Map(versions.map((v) => [v.sha, v.tag]));
    return { ...historyMessage(service.name, environment, deployments, audit, versionOf), visibility: 'ephemeral' };
  },
};
