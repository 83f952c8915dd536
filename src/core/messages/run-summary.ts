import { type Run, stageEnvironment, stageKind } from '../run.js';
import { code, escapeKeepingMentions, escapeMrkdwn, type Message, section } from './blocks.js';
import { cut, LIMITS } from './limits.js';
import { runHeadline } from './run-message.js';

/**
 * The one thread reply a run that passed gets at its end: where its release is now, and what was left out.
 * Passed stages are in the run message itself; the thread is for what someone acts on.
 */
export function runSummaryMessage(run: Run, { runUrl }: { runUrl?: string } = {}): Message {
  const deployed = run.stages
    .filter((s) => stageKind(s.name) === 'deploy' && s.status === 'passed')
    .map((s) => `*${escapeMrkdwn(stageEnvironment(s.name) ?? s.name)}*`);
  const skipped = run.stages.find((s) => s.status === 'skipped' && s.summary);
  const where = deployed.length > 0 ? `${run.release ? code(run.release.tag) : 'the release'} is in ${deployed.join(', ')}` : 'nothing was deployed';
  const why = skipped?.summary ? `; ${escapeMrkdwn(skipped.name)} left out: ${escapeKeepingMentions(skipped.summary)}` : '';
  const link = runUrl ? ` <${runUrl}|details>` : '';
  const line = `:checkered_flag: Passed: ${where}${why}.${link}`;
  return { text: `${runHeadline(run)} passed: ${deployed.length > 0 ? 'deployed' : 'nothing deployed'}`, blocks: [section(cut(line, LIMITS.sectionText))] };
}
