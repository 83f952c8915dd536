import type { ChatApi } from '../core/chat-api.js';
import { deliveryChart } from '../core/delivery-chart.js';
import type { ChartRenderer, Logger, StatsChartRequest } from '../core/ports.js';

/**
 * Draws `/slipway stats`'s chart as a PNG and uploads it to the channel the command came from (Slack's
 * files.getUploadURLExternal → upload → files.completeUploadExternal). A failure is said to the person who
 * asked, with what to do, and logged; it never throws.
 */
export async function postStatsChart(deps: { slack: ChatApi; charts: ChartRenderer; log: Logger }, request: StatsChartRequest): Promise<void> {
  const { channel, user, service, stats } = request;
  let stage = 'drawing';
  try {
    const png = await deps.charts.png(deliveryChart(service, stats));
    stage = 'uploading';
    const label = stats[0]?.window.label ?? '';
    await deps.slack.files.uploadV2({
      channel_id: channel,
      file: png,
      filename: `${service}-delivery-${label}.png`,
      title: `${service}: deployments per day, last ${label}`,
      initial_comment: `Deployments per day of ${service}, last ${label}: green changes stayed, red ones failed.`,
    });
  } catch (error) {
    deps.log.warn({ err: error, service, channel }, `the stats chart failed while ${stage}`);
    const slackError = (error as { data?: { error?: string } }).data?.error;
    const advice = slackError === 'not_in_channel' || slackError === 'channel_not_found' ? ' Invite slipway to this channel and ask again.' : ' The figures above stand; slipway\'s log has the detail.';
    await deps.slack.chat
      .postEphemeral({ channel, user, text: `The chart of ${service} could not be ${stage === 'drawing' ? 'drawn' : 'uploaded'}${slackError ? ` (Slack said ${slackError})` : ''}.${advice}` })
      .catch((e: unknown) => deps.log.warn({ err: e, service, channel }, 'could not tell the user the chart failed'));
  }
}
