import { NOTE_GROUPS } from '../releases/release-notes.js';
import type { Run } from '../run.js';
import { code, context, escapeMrkdwn, type Message, section } from './blocks.js';
import { cut, fitLines, LIMITS } from './limits.js';

/** Commit lines the thread shows at most: the full notes are in the host's release. */
const SHOWN_COMMITS = 12;

/**
 * The thread reply of a version: what the environment runs now, the notes' newest lines by group, what was
 * done and what failed (with how to redo it). For a rollback: which version runs there again.
 */
export function releaseMessage(run: Run, { runUrl }: { runUrl?: string } = {}): Message | undefined {
  const v = run.version;
  if (!v) return undefined;
  const service = escapeMrkdwn(run.service);
  const environment = escapeMrkdwn(v.environment);
  if (v.again) {
    const line = `:rewind: *${service}* ${environment} runs ${code(v.tag)} again (a rollback makes no new version).`;
    return { text: cut(`${run.service} ${v.environment} runs ${v.tag} again`, LIMITS.notificationText), blocks: [section(line)] };
  }
  const problems = v.problems ?? [];
  if (v.tag === '-') {
    return { text: cut(`${run.service}: no version was made`, LIMITS.notificationText), blocks: [section(fitLines([':warning: *No version was made*', ...problems.map((p) => `• ${escapeMrkdwn(p)}`)], LIMITS.sectionText))] };
  }
  const since = v.previousTag ? ` since ${code(v.previousTag)}` : ' (the first)';
  const notesLink = v.url ? ` · <${v.url}|release notes>` : '';
  const head = `:label: *${service}* ${code(v.tag)} is in *${environment}*: ${v.total ?? 0} commit(s)${since}${notesLink}`;
  // The newest commits of each group, groups in order, up to SHOWN_COMMITS in all.
  const ordered = NOTE_GROUPS.flatMap(({ kind }) => (v.commits ?? []).filter((c) => c.kind === kind)).slice(0, SHOWN_COMMITS);
  const lines: string[] = [];
  for (const { kind, title } of NOTE_GROUPS) {
    const ofKind = ordered.filter((c) => c.kind === kind);
    if (ofKind.length === 0) continue;
    lines.push(`*${title}*`);
    for (const c of ofKind) {
      const sha = c.url ? `<${c.url}|${c.sha.slice(0, 7)}>` : code(c.sha.slice(0, 7));
      lines.push(`• ${escapeMrkdwn(cut(c.subject, 150))} (${sha}, ${escapeMrkdwn(c.author)})`);
    }
  }
  const hidden = (v.total ?? ordered.length) - ordered.length;
  const where = v.url ? `in the <${v.url}|release notes>` : runUrl ? `on the <${runUrl}|run page>` : 'not shown';
  const more = hidden > 0 ? [`_…and ${hidden} more ${where}_`] : [];
  return {
    text: cut(`${run.service} ${v.tag} is in ${v.environment}${problems.length > 0 ? `; ${problems.length - 1} step(s) failed` : ''}`, LIMITS.notificationText),
    blocks: [
      section(head),
      ...(lines.length > 0 ? [section(fitLines([...lines, ...more], LIMITS.sectionText, { what: 'commits' }))] : []),
      ...(problems.length > 0 ? [section(fitLines(problems.map((p) => `:warning: ${escapeMrkdwn(p)}`), LIMITS.sectionText))] : []),
      ...((v.done ?? []).length > 0 ? [context(cut((v.done ?? []).map(escapeMrkdwn).join(' · '), LIMITS.contextText))] : []),
    ],
  };
}
