import type { Releases } from '../../core/config-schema.js';
import { hostBaseUrl } from '../../core/git-hosts.js';
import type { HostRepo, VersionRecord } from '../../core/ports.js';
import { releaseNotesMarkdown } from '../../core/releases/release-notes.js';
import { nextVersion, type ParsedCommit, parseCommit, versionTag } from '../../core/releases/versioning.js';
import { type Run, stageEnvironment } from '../../core/run.js';
import type { StageContext, StageOutcome } from './stage-context.js';

/** The commits read for one version's notes at most; the run keeps the newest few for Slack. */
const COMMITS_READ = 500;
const COMMITS_KEPT = 30;
const CLAIM_ATTEMPTS = 5;

type Version = NonNullable<Run['version']>;

/**
 * Makes the version of a release that reached the release environment: claimed in the store first (a retried
 * job finds it and makes nothing twice), then the commit tagged in the repository, the image tagged in the
 * registry, and the host's release made with the notes. The deploy has happened: a step that fails is said
 * (with how to redo it) and the stage still passes.
 */
export async function releaseStage(ctx: StageContext): Promise<StageOutcome> {
  const environment = stageEnvironment(ctx.stage) ?? ctx.run.target.environment;
  const releases = ctx.service.releases;
  const release = ctx.run.release;
  if (!releases) return { status: 'passed', summary: 'no version: releases are off for this service' };
  if (!release) return { status: 'passed', summary: 'no version: the run has no release' };
  const problems: string[] = [];
  const done: string[] = [];
  const redo = `to redo what failed: /slipway release ${ctx.service.name} (nothing done is done twice)`;

  const claimed = await claimVersion(ctx, releases, release.digest, problems);
  if (!claimed) {
    await ctx.log(...problems);
    return { status: 'passed', summary: 'no version made: see the thread', patch: { version: { version: '-', tag: '-', environment, problems: [...problems, redo] } } };
  }
  const { record, commits } = claimed;
  const { tag, sha } = record;
  await ctx.log(`version ${record.version} (tag ${tag}) for ${sha.slice(0, 7)}, ${commits.length} commit(s) since ${record.previous?.tag ?? 'the start'}`);

  const repo: HostRepo | undefined = ctx.run.source;
  const api = !!repo && ctx.releasing.hosts.has(repo.host);
  const commitUrl = (commitSha: string) => (repo ? ctx.releasing.hosts.commitUrl(repo, commitSha) ?? webCommitUrl(repo, commitSha) : undefined);
  const step = async (what: string, act: () => Promise<string>) => {
    try {
      done.push(await act());
    } catch (error) {
      problems.push(`${what} failed: ${firstLine(error)}`);
    }
  };

  await step(`tagging ${sha.slice(0, 7)} as ${tag} in the repository`, async () => {
    const result = api && repo ? await ctx.releasing.hosts.tag({ repo, tag, sha, message: `${ctx.service.name} ${record.version}` }) : await ctx.pushTag(tag);
    return `${tag} on ${sha.slice(0, 7)} in the repository (${api ? `${repo?.host} API` : 'git push'}${result === 'existed' ? ', there already' : ''})`;
  });
  await step(`tagging the image ${release.image}@${release.digest.slice(0, 19)} as ${tag}`, async () => {
    const result = await ctx.releasing.images.tag(release.image, release.digest, tag);
    return `image ${release.image}:${tag} (same digest${result === 'existed' ? ', there already' : ''})`;
  });
  let url: string | undefined;
  if (api && repo) {
    await step(`making the ${repo.host} release ${tag}`, async () => {
      const notes = releaseNotesMarkdown({ service: ctx.service.name, version: record.version, tag, previousTag: record.previous?.tag, commits, commitUrl });
      const made = await ctx.releasing.hosts.release({ repo, tag, sha, name: `${ctx.service.name} ${record.version}`, message: '', notes });
      url = made.url;
      return `${repo.host} release ${tag}${made.result === 'existed' ? ' (there already)' : ''}`;
    });
  } else {
    done.push(
      repo?.host === 'gogs'
        ? 'no host release: Gogs has no releases API slipway uses'
        : `no host release: slipway has no API token for ${repo?.host ?? 'this repository\'s host'} (GITHUB_TOKEN, GITEA_TOKEN or GITLAB_TOKEN)`,
    );
  }
  await ctx.log(...done, ...problems);

  const version: Version = {
    version: record.version,
    tag,
    environment,
    ...(record.previous ? { previousTag: record.previous.tag } : {}),
    total: commits.length,
    commits: commits.slice(0, COMMITS_KEPT).map((c) => ({ sha: c.sha, subject: c.subject.slice(0, 200), kind: c.kind, author: c.author.name, ...(commitUrl(c.sha) ? { url: commitUrl(c.sha) } : {}) })),
    ...(url ? { url } : {}),
    done,
    ...(problems.length > 0 ? { problems: [...problems, redo] } : {}),
  };
  const summary = problems.length > 0 ? `${tag}: ${problems.length} step(s) failed, see the thread` : tag;
  return { status: 'passed', summary, patch: { version } };
}

/**
 * The sha's version: the one an earlier attempt claimed, or the next after the service's newest, claimed now
 * (another sha taking that version first makes this one try the next). Undefined when none could be claimed.
 */
async function claimVersion(
  ctx: StageContext,
  releases: Releases,
  digest: string,
  problems: string[],
): Promise<{ record: VersionRecord; commits: ParsedCommit[] } | undefined> {
  const { service, sha } = ctx.run;
  const earlier = await ctx.versions.ofSha(ctx.run.service, sha);
  if (earlier) return { record: earlier, commits: await commitsSince(ctx, earlier.previous?.sha, problems) };
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt += 1) {
    const last = await ctx.versions.latest(service);
    const commits = await commitsSince(ctx, last?.sha, problems);
    const version = nextVersion(releases, last?.version, commits, ctx.now());
    const claim = await ctx.versions.claim({
      service,
      version,
      tag: versionTag(releases, version),
      sha,
      digest,
      runId: ctx.run.id,
      at: ctx.now().toISOString(),
      ...(last ? { previous: { version: last.version, tag: last.tag, sha: last.sha } } : {}),
    });
    if (claim.ok) return { record: claim.record, commits };
    await ctx.log(`version ${version} was taken by ${claim.holder.sha.slice(0, 7)} meanwhile: trying the next`);
    problems.length = 0;
  }
  problems.push(`no version could be claimed in ${CLAIM_ATTEMPTS} attempts: other releases kept taking the next one`);
  return undefined;
}

/** The commits since `from` from the repository's history; the run's own pushed commits if git cannot say. */
async function commitsSince(ctx: StageContext, from: string | undefined, problems: string[]): Promise<ParsedCommit[]> {
  try {
    return (await ctx.commitsSince(from, COMMITS_READ)).map(parseCommit);
  } catch (error) {
    problems.push(`reading the commits since ${from ? from.slice(0, 7) : 'the start'} from git failed (${firstLine(error)}): the notes list this run's pushed commits only`);
    return [...ctx.run.commits].reverse().map((c) => parseCommit({ sha: c.sha, message: c.message, author: c.author }));
  }
}

function webCommitUrl(repo: HostRepo, sha: string): string | undefined {
  const base = hostBaseUrl(repo.host);
  return base ? `${base}/${repo.fullName}/commit/${sha}` : undefined;
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0]?.slice(0, 300) ?? '';
}
