/** Replaces every known secret in `text`; short values are skipped, they would mangle ordinary words. */
export function scrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = [...new Set(secrets.filter((s): s is string => !!s && s.length >= 6))].sort((a, b) => b.length - a.length);
  return (text) => known.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
}
