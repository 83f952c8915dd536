/** An HTTP(S) clone URL with the token as basic-auth password, for one git command; other URLs as they are. */
export function withToken(url: string, token: string | undefined): string {
  if (!token || !/^https?:/.test(url)) return url;
  const parsed = new URL(url);
  parsed.username = 'x-access-token';
  parsed.password = token;
  return parsed.toString();
}

/** What git said, first line only, with the token cut out: it must never reach a log or Slack. */
export function gitError(error: unknown, token: string | undefined): string {
  const message = ((error as { stderr?: string }).stderr || (error as Error).message).trim();
  return token ? message.split(token).join('[redacted]') : message;
}
