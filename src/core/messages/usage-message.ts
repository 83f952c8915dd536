import { code, type Message, section } from './blocks.js';

/** The ephemeral answer to a command it could not understand: what was wrong, how to write it, an example. */
export function usageMessage(problem: string, usage: string, example: string): Message {
  const text = `${problem}\nUsage: ${code(usage)}\nExample: ${code(example)}`;
  return { text, blocks: [section(`:warning: ${text}`)] };
}
