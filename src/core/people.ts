import type { People } from './config-schema.js';

/** Someone as git names them: a commit's author or a push's pusher. */
export type GitPerson = { name: string; email?: string; username?: string };

/**
 * The Slack id `people:` in slipway.yml gives this git identity (its e-mail, case-insensitively, or its
 * username); undefined when the map does not name them. The map wins over Slack's e-mail lookup: it is how an
 * operator identifies addresses Slack does not know (a GitHub noreply address, a second e-mail).
 */
export function personFromConfig(people: People, person: GitPerson): string | undefined {
  const email = person.email?.toLowerCase();
  const username = person.username?.toLowerCase();
  for (const [slackId, identities] of Object.entries(people)) {
    if (email && identities.emails.some((e) => e.toLowerCase() === email)) return slackId;
    if (username && identities.usernames.some((u) => u.toLowerCase() === username)) return slackId;
  }
  return undefined;
}

/** "Ann Example <123+ann@users.noreply.github.com>": how an unidentified person is named in a refusal. */
export function describePerson(person: GitPerson): string {
  const handle = person.email ?? (person.username ? `git user ${person.username}` : undefined);
  return handle ? `${person.name} <${handle}>` : `${person.name} (no e-mail or git username known)`;
}
