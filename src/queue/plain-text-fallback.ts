import { z } from 'zod';
import type { ChatApi } from '../core/chat-api.js';
import { code } from '../core/messages/blocks.js';
import { cut, LIMITS } from '../core/messages/limits.js';
import type { Logger } from '../core/ports.js';

/** Slack's answers for a message it cannot show as built: the blocks or the text break one of its limits. */
const REFUSALS = ['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'invalid_arguments'] as const;

/** How @slack/web-api reports an `ok: false` answer (WebAPIPlatformError); other errors are not refusals. */
const PlatformError = z.object({ code: z.literal('slack_webapi_platform_error'), data: z.object({ error: z.enum(REFUSALS) }) });

export function refusal(error: unknown): (typeof REFUSALS)[number] | undefined {
  const parsed = PlatformError.safeParse(error);
  return parsed.success ? parsed.data.data.error : undefined;
}

/** The text slipway posts instead of a refused message: its notification text, cut, and where to see the rest. */
export function fallbackText(text: string | undefined, { runId, runUrl }: { runId: string; runUrl?: string }): string {
  const where = runUrl ? `<${runUrl}|the run page>` : `the run page of ${code(runId)}`;
  return `${cut(text ?? '', LIMITS.notificationText - 200)}\n_Slack refused this message's layout; the details are on ${where}._`;
}

/**
 * `chat` whose postMessage and update resend a message Slack refuses (`invalid_blocks`, `msg_too_long`) as plain
 * text with the run page link, so a notification is never lost and the notifier's job does not stop on it.
 * Any other error (Slack down, rate limited) is thrown as before, for the job's retries.
 */
export function plainTextFallback(chat: ChatApi, { log, runId, runUrl }: { log: Logger; runId: string; runUrl?: string }): ChatApi {
  const onRefusal = async <T>(method: string, send: () => Promise<T>, resend: (text: string) => Promise<T>, text?: string): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      const why = refusal(error);
      if (!why) throw error;
      log.warn({ runId, method, error: why }, 'Slack refused a message; sent it as plain text with the run page link');
      return resend(fallbackText(text, { runId, runUrl }));
    }
  };
  return {
    chat: {
      postMessage: (args) => onRefusal('chat.postMessage', () => chat.chat.postMessage(args), (text) => chat.chat.postMessage({ ...withoutBlocks(args), text }), args.text),
      // An empty list removes the refused message's old blocks, which would otherwise stay under the new text.
      update: (args) => onRefusal('chat.update', () => chat.chat.update(args), (text) => chat.chat.update({ ...args, text, blocks: [] }), args.text),
      postEphemeral: (args) => chat.chat.postEphemeral(args),
    },
    files: chat.files,
    users: chat.users,
    usergroups: chat.usergroups,
  };
}

function withoutBlocks<T extends { blocks?: unknown }>(args: T): Omit<T, 'blocks'> {
  const { blocks, ...rest } = args;
  void blocks;
  return rest;
}
