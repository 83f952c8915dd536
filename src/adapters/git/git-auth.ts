/**
 * The environment that makes git send `token` to the HTTP(S) host of `url`, and to nothing else: an
 * `http.<url>.extraHeader` set through `GIT_CONFIG_*`, so the token is never on a command line (`ps` and
 * `/proc/<pid>/cmdline` show argv to every local user; a process's environment only to its owner).
 */
export function tokenEnv(url: string, token: string | undefined): Record<string, string> {
  if (!token || !/^https?:\/\//i.test(url)) return {};
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    // Scoped to the repository's URL: a redirect to another host does not get the header.
    GIT_CONFIG_KEY_0: `http.${url}.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

/** What git said, first line only, with the token cut out: it must never reach a log or Slack. */
export function gitError(error: unknown, token: string | undefined): string {
  const message = ((error as { stderr?: string }).stderr || (error as Error).message).trim();
  if (!token) return message;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return message.split(token).join('[redacted]').split(basic).join('[redacted]');
}
