import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.js';

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8'));

describe('manifest.yml', () => {
  it('declares exactly the slash commands slipway answers, all on the one Request URL', () => {
    const declared = manifest.features.slash_commands as { command: string; url: string }[];
    expect(declared.map((c) => c.command).sort()).toEqual(commands.map((c) => c.name).sort());
    for (const c of declared) expect(c.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
  });
});
