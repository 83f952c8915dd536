/** Tags and releases of the repositories a fake git host knows: what its tag and release APIs read and write. */
export type FakeRelease = { tag: string; name?: string; notes?: string; url: string };

export class FakeRepos {
  /** fullName → tag → sha. */
  readonly tags = new Map<string, Map<string, string>>();
  /** fullName → tag → release. */
  readonly releases = new Map<string, Map<string, FakeRelease>>();
  /** Every call's auth, method and path, in order. */
  readonly calls: string[] = [];
  /** What the real API would refuse or never get: a test fails when this is not empty. */
  readonly problems: string[] = [];

  constructor(private readonly web: string) {}

  /** A repository the host has, with the commits it knows (any sha is known when none are listed). */
  add(fullName: string): void {
    this.tags.set(fullName, new Map());
    this.releases.set(fullName, new Map());
  }

  has(fullName: string): boolean {
    return this.tags.has(fullName);
  }

  tagOf(fullName: string, tag: string): string | undefined {
    return this.tags.get(fullName)?.get(tag);
  }

  setTag(fullName: string, tag: string, sha: string): void {
    this.tags.get(fullName)?.set(tag, sha);
  }

  releaseOf(fullName: string, tag: string): FakeRelease | undefined {
    return this.releases.get(fullName)?.get(tag);
  }

  addRelease(fullName: string, release: Omit<FakeRelease, 'url'>, path: string): FakeRelease {
    const made = { ...release, url: `${this.web}/${fullName}/${path}/${release.tag}` };
    this.releases.get(fullName)?.set(release.tag, made);
    return made;
  }
}

export const isSha = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{40}$/.test(value);

/** The JSON body of a request, or undefined when it is not JSON. */
export async function jsonBody(req: AsyncIterable<unknown>): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
