/**
 * Why `url` may not be handed to git as a repository to clone, or undefined when it may. Only the transports
 * slipway needs pass: https, ssh (`ssh://` or scp-like `user@host:path`), `file://` (local mirrors and tests),
 * and plain http to a loopback host (nothing on the way to read or change it). Anything git could read as an
 * option (`-…`), a remote helper (`ext::`, `fd::` run commands) or that hides whitespace is refused.
 */
export function cloneUrlProblem(url: string): string | undefined {
  if (url.length === 0) return 'is empty';
  if (url.length > 2048) return 'is longer than 2048 characters';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return 'contains whitespace or control characters';
  if (url.startsWith('-')) return 'starts with "-", which git would read as an option';
  if (/^[A-Za-z0-9+.-]+::/.test(url)) return 'uses git\'s "<helper>::" syntax (ext:: and fd:: run commands); give an https, ssh or file URL';

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return scpLikeProblem(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (parsed.username.startsWith('-') || parsed.hostname.startsWith('-')) return 'has a user or host starting with "-"';
  switch (scheme) {
    case 'https':
    case 'ssh':
      return parsed.hostname ? undefined : 'names no host';
    case 'file':
      return parsed.pathname.length > 1 ? undefined : 'names no path';
    case 'http':
      return isLoopback(parsed.hostname) ? undefined : 'uses plain http to a host other than this machine (nothing protects it on the way): use https';
    default:
      return `uses the ${scheme}:// transport; expected https://, ssh://, user@host:path or file://`;
  }
}

/** `user@host:path` as git reads it: a colon before any slash, and no part git could take for an option. */
function scpLikeProblem(url: string): string | undefined {
  const match = /^(?:([^@/:]+)@)?([^@/:]+):(.+)$/.exec(url);
  if (!match) return 'is neither a URL (https://, ssh://, file://) nor user@host:path';
  const [, user = '', host = '', path = ''] = match;
  if (user.startsWith('-') || host.startsWith('-') || path.startsWith('-')) return 'has a user, host or path starting with "-"';
  return undefined;
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
