import { DEFAULT_WINDOW, parseWindow, type StatsWindow } from '../src/core/delivery-stats.js';
import { statsMessage } from '../src/core/messages/stats-message.js';
import { deliveryFigures } from '../src/queue/delivery-figures.js';
import { CommandInputError, pickService, type SlashCommand, words } from './slash-command.js';

/** `[service] [window]` in either order: a word like `7d`, `30d` or `12w` is the window. */
function serviceAndWindow(parts: readonly string[]): { service?: string; window: StatsWindow } {
  if (parts.length > 2) throw new CommandInputError('Too many words: give at most a service and a window (like 30d).');
  const windowWord = parts.find((p) => /^\d+[a-z]$/i.test(p));
  const rest = parts.filter((p) => p !== windowWord);
  if (rest.length > 1) throw new CommandInputError(`Give one service and one window: "${rest[1]}" is neither a window (7d, 30d, 12w) nor the only service.`);
  if (windowWord === undefined) return { service: rest[0], window: DEFAULT_WINDOW };
  const parsed = parseWindow(windowWord);
  if (!parsed.ok) throw new CommandInputError(parsed.error);
  return { service: rest[0], window: parsed.window };
}

/**
 * `/slipway stats [service] [window]`: how delivery went, per environment: deployment frequency, lead time
 * from commit, change failure rate and time to restore. The chart is drawn and uploaded after the answer.
 */
export const statsCommand: SlashCommand<string[]> = {
  name: '/slipway stats',
  usage: '/slipway stats [service] [window]',
  example: '/slipway stats discounts 30d',
  summary: 'how delivery is going: deployment frequency, lead time, change failure rate, time to restore, with a chart',
  args: words,
  async run(parts, deps, invocation) {
    const asked = serviceAndWindow(parts);
    const service = pickService(deps.services, asked.service, invocation.channel);
    const stats = await deliveryFigures(deps, service, asked.window, deps.now());
    const charting = deps.charts !== undefined && invocation.channel !== undefined;
    if (charting && invocation.channel) deps.charts?.post({ channel: invocation.channel.id, user: invocation.userId, service: service.name, stats });
    const message = statsMessage(service.name, stats, { chart: charting ? 'uploading' : 'none', pageUrl: deps.servicePageUrl?.(service.name) });
    return { ...message, visibility: 'in_channel' };
  },
};
