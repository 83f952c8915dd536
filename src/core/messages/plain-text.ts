import type { Button } from './blocks.js';

/** Slack mrkdwn as terminal text: mentions as @id, links as "label (url)", escapes undone. */
export function plainText(mrkdwn: string): string {
  return mrkdwn
    .replace(/<!date\^\d+\^[^|]*\|([^>]*)>/g, '$1')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/<!subteam\^([A-Z0-9]+)>/g, '@group:$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/:white_check_mark:/g, '✔').replace(/:x:/g, '✘').replace(/:white_circle:/g, '·')
    .replace(/:arrows_counterclockwise:/g, '↻').replace(/:fast_forward:/g, '»').replace(/:raised_hand:/g, '✋')
    .replace(/:hourglass_flowing_sand:|:hourglass:/g, '⌛').replace(/:rotating_light:/g, '!!').replace(/:rocket:/g, '→')
    .replace(/:lock:/g, '[locked]').replace(/:unlock:/g, '[unlocked]').replace(/:[a-z_]+:/g, '')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1$2')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

type AnyBlock = { type: string; text?: { text: string }; elements?: ({ text?: string } | Button)[] };

/** A message's blocks as lines of text; each button is handed to `number` and shown as `[n] label`. */
export function blocksAsText(blocks: readonly unknown[], number: (button: Button) => number): string[] {
  const lines: string[] = [];
  for (const block of blocks as AnyBlock[]) {
    if (block.type === 'section' || block.type === 'header') lines.push(plainText(block.text?.text ?? ''));
    else if (block.type === 'context') lines.push(plainText((block.elements ?? []).map((e) => ('text' in e && typeof e.text === 'string' ? e.text : '')).join(' ')));
    else if (block.type === 'actions') {
      const buttons = (block.elements ?? []).filter((e): e is Button => (e as Button).type === 'button');
      lines.push(buttons.map((b) => `[${number(b)}] ${b.text.text}`).join('   '));
    }
  }
  return lines.flatMap((l) => l.split('\n'));
}
