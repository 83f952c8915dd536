import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { SlipwayConfig } from './core/config-schema.js';
import { Env } from './core/env-schema.js';
import { SlipwayError } from './core/errors.js';
import { formatIssues } from './core/format-issues.js';

/** Reads the environment; empty values count as unset, as most shells and compose files write them. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = Env.safeParse(present);
  if (!parsed.success) {
    throw new SlipwayError(
      'bad_env',
      `slipway cannot start: bad environment variables\n${formatIssues(parsed.error.issues).map((l) => `  - ${l}`).join('\n')}`,
    );
  }
  return parsed.data;
}

/** Parses `slipway.yml` text; the error lists every bad key, with the file name, so it can be fixed in one go. */
export function parseConfig(text: string, fileName = 'slipway.yml'): SlipwayConfig {
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const lines = document.errors.map((e) => e.message.split('\n')[0] ?? e.message);
    throw new SlipwayError('bad_config', `${fileName} is not valid YAML:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
  }
  const parsed = SlipwayConfig.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues);
    throw new SlipwayError('bad_config', `${fileName} has ${lines.length} problem${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
  }
  return parsed.data;
}

/**
 * Loads the config file. A missing file is fine when the path is the default (slipway then runs with no
 * services); a missing file the operator named is an error.
 */
export async function loadConfigFile(path: string, { required = false } = {}): Promise<SlipwayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return parseConfig('');
    throw new SlipwayError('bad_config', `cannot read the config file ${path}: ${(error as Error).message}`);
  }
  return parseConfig(text, path);
}
