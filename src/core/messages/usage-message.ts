import { code, type Message, section } from './blocks.js';
import { cut, LIMITS } from './limits.js';

/** The ephemeral answer to a command it could not understand: what was wrong, how to write it, an example. */
export function usageMessage(problem: string, usage: string, example: string): Message {
  const text = `${problem}\nUsage: ${code(usage)}\nExample: ${code(example)}`;
  return { text: cut(text, LIMITS.notificationText), blocks: [section(`:warning: ${text}`)] };
}
