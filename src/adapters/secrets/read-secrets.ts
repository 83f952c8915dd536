import { readFile } from 'node:fs/promises';
import type { SecretSource } from '../../core/target-schema.js';

export type SecretValues = { ok: true; values: Record<string, string> } | { ok: false; cause: string };

/**
 * Reads an environment's secrets right before a deploy, from slipway's environment or from files (one trailing
 * newline dropped, as `echo value > file` leaves one). Every missing one is named, with where it was looked
 * for; the values are never part of what this says.
 */
export async function readSecrets(sources: Record<string, SecretSource>, env: NodeJS.ProcessEnv = process.env): Promise<SecretValues> {
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, source] of Object.entries(sources)) {
    if ('env' in source) {
      const value = env[source.env];
      if (value) values[name] = value;
      else missing.push(`${name} (${source.env} is not set in slipway's environment)`);
      continue;
    }
    try {
      values[name] = (await readFile(source.file, 'utf8')).replace(/\r?\n$/, '');
    } catch (error) {
      missing.push(`${name} (cannot read ${source.file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  if (missing.length > 0) {
    const what = missing.length === 1 ? `secret ${missing[0]} is missing` : `secrets ${missing.join(', ')} are missing`;
    return { ok: false, cause: `${what}; nothing was changed` };
  }
  return { ok: true, values };
}
