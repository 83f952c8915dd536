import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { resolveCommand } from '../../commands/resolve-command.js';
import { type CommandDeps, runCommand, type SlashCommand } from '../../commands/slash-command.js';
import { APPROVE_ACTION, parseApprovalKey, REJECT_ACTION } from '../core/messages/approval-card.js';
import { RERUN_CHECKS_ACTION, RETRY_ACTION } from '../core/messages/failure-alert.js';
import type { ApprovalClick } from './approval-decision.js';
import { CONFIRM_ROLLBACK_ACTION, type RollbackRequest } from '../../commands/rollback-confirm.js';
import type { ConsoleChoices, Logger } from '../core/ports.js';

/** The person at the keyboard: a Slack-like id so approvals, locks and the audit log work as in Slack. */
export const CONSOLE_USER = 'ULOCAL';

export type ConsoleOptions = {
  input: Readable;
  write(text: string): void;
  chat: ConsoleChoices;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argument type
  commands: readonly SlashCommand<any>[];
  commandDeps: CommandDeps;
  decide(click: ApprovalClick): Promise<string | undefined>;
  retry(runId: string, by: { name: string; username: string }, options?: { fromFailedStage?: boolean }): Promise<{ runId: string; first: boolean }>;
  rollback(request: RollbackRequest, user: { id: string; name: string }, buttonId: string): Promise<string>;
  /** `push [message]`: a commit to the local sample service, pushed for real. */
  push?(message: string): Promise<string>;
  log: Logger;
};

const HELP = 'Type a command (/slipway help), the number of a choice (a reason may follow a Reject), or "push" to push a change to the sample service.';

/**
 * Local mode's chat: reads lines from the terminal or from a pipe, one at a time in order, so a script can
 * drive it. End of input stops reading; slipway keeps running.
 */
export function startConsole(options: ConsoleOptions): { done: Promise<void> } {
  const lines = createInterface({ input: options.input, terminal: false });
  options.write(`\nslipway local mode. ${HELP}\n`);
  const done = (async () => {
    for await (const line of lines) {
      try {
        await handle(line.trim(), options);
      } catch (error) {
        options.log.error({ err: error, line }, 'console input failed');
        options.write(`\nThat failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return { done };
}

async function handle(line: string, options: ConsoleOptions): Promise<void> {
  if (line === '') return;
  const you = { name: 'you', username: CONSOLE_USER };
  const [first = '', ...rest] = line.split(/\s+/);
  const tell = (text: string | undefined) => text && options.chat.show({ text }, 'only you see this');

  if (/^\d+$/.test(first)) {
    const choice = options.chat.choice(Number(first));
    if (!choice) return void tell(`There is no choice ${first}.`);
    const key = parseApprovalKey(choice.value);
    switch (choice.actionId) {
      case APPROVE_ACTION:
      case REJECT_ACTION:
        if (!key) return;
        tell(await options.decide({ ...key, userId: CONSOLE_USER, decision: choice.actionId === APPROVE_ACTION ? 'approve' : 'reject', reason: rest.join(' ') || undefined }));
        return;
      case RETRY_ACTION:
      case RERUN_CHECKS_ACTION: {
        const answer = await options.retry(choice.value, you, { fromFailedStage: choice.actionId === RERUN_CHECKS_ACTION });
        tell(answer.first ? `Started run ${answer.runId}.` : `Already started as ${answer.runId}.`);
        return;
      }
      case CONFIRM_ROLLBACK_ACTION:
        tell(await options.rollback(JSON.parse(choice.value) as RollbackRequest, { id: CONSOLE_USER, name: 'you' }, `console-${first}`));
        return;
      default:
        tell(`Choice ${first} does nothing here.`);
        return;
    }
  }
  if (first === 'push' && options.push) {
    tell(await options.push(rest.join(' ') || 'A change made in local mode'));
    return;
  }
  const resolved = resolveCommand(options.commands, first, rest.join(' '));
  if (!resolved) return void tell(`Unknown input "${line}". ${HELP}`);
  const reply = await runCommand(resolved.command, options.commandDeps, { text: resolved.text, userId: CONSOLE_USER, userName: 'you' });
  options.chat.show(reply, reply.visibility === 'in_channel' ? 'console' : 'only you see this');
}
