import { outcomeAnswer } from '../../core/messages/pull-request-answer.js';
import type { PullRequests } from '../../core/ports.js';
import { isFinished, type Run } from '../../core/run.js';

/**
 * The outcome of a run started from a pull request comment, written in the pull request: slipway's answer
 * comment is edited when the run parks at an approval gate and when it ends (a new comment when the first
 * one could not be posted).
 */
export function pullRequestAnswers({ api, runUrl }: { api: PullRequests; runUrl?(runId: string): string }) {
  return {
    async report(run: Run, before: Run | undefined): Promise<void> {
      const pr = run.pullRequest;
      if (!pr || !run.source || before?.status === run.status) return;
      if (run.status !== 'waiting' && !isFinished(run)) return;
      if (!api.reaches(run.source.host)) return;
      const body = outcomeAnswer(run, runUrl?.(run.id));
      if (pr.answerId !== undefined) await api.editComment(run.source.host, run.source.fullName, pr.answerId, body);
      else await api.comment(run.source.host, run.source.fullName, pr.number, body);
    },
  };
}
