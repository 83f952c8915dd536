import { z } from 'zod';
import { statusMessage } from '../src/core/messages/status-message.js';
import { isActive } from '../src/core/run.js';
import { pickService, type SlashCommand, words } from './slash-command.js';

/** `/status [service]`: environments, and the runs queued, running or waiting. */
export const statusCommand: SlashCommand<{ service?: string }> = {
  name: '/status',
  usage: '/status [service]',
  example: '/status discounts',
  summary: 'environments, and runs queued, running or waiting for approval',
  args: words
    .pipe(z.array(z.string()).max(1, { error: 'Give at most one service name.' }))
    .transform(([service]) => ({ service })),
  async run({ service }, deps) {
    const services = service === undefined ? deps.services : [pickService(deps.services, service)];
    const statuses = await Promise.all(
      services.map(async (s) => ({ service: s, activeRuns: (await deps.runs.listByService(s.name, 50)).filter(isActive) })),
    );
    return { ...statusMessage(statuses), visibility: 'ephemeral' };
  },
};
