import type { GitHost } from '../git-hosts.js';
import type { ReleaseCommit } from '../releases/versioning.js';

/** A version slipway made: a release that reached the release environment, tagged `tag`. */
export type VersionRecord = {
  service: string;
  version: string;
  tag: string;
  sha: string;
  digest: string;
  runId: string;
  at: string;
  /** The version before it, whose commits it does not repeat. */
  previous?: { version: string; tag: string; sha: string };
};

export type VersionClaim = { ok: true; record: VersionRecord; fresh: boolean } | { ok: false; holder: VersionRecord };

/** The versions of each service, claimed once per sha before anything is tagged: a retried job makes none twice. */
export interface VersionStore {
  /** The version made from `sha`, if any. */
  ofSha(service: string, sha: string): Promise<VersionRecord | undefined>;
  /** The newest version of the service. */
  latest(service: string): Promise<VersionRecord | undefined>;
  /**
   * Claims `record.version` for `record.sha` in one step: answers the record the sha already has (`fresh:
   * false`: an earlier attempt made it), or `ok: false` with the holder when another sha has that version.
   */
  claim(record: VersionRecord): Promise<VersionClaim>;
  /** Newest first. */
  list(service: string, limit?: number): Promise<VersionRecord[]>;
}

/** A repository on a git host, as the run's source names it (`owner/name`, or a GitLab group path). */
export type HostRepo = { host: GitHost; fullName: string };

/** What a step of a release did: made it now, or found it made already for the same commit (success too). */
export type ReleaseStepResult = 'created' | 'existed';

export type HostTagRequest = { repo: HostRepo; tag: string; sha: string; message: string };
export type HostReleaseRequest = HostTagRequest & { name: string; notes: string };

/** The tag and release APIs of the git hosts slipway has a token for (GitHub, Gitea, GitLab). */
export interface HostReleases {
  /** Whether slipway has a token for `host`'s API: without one, tags are pushed with git and no release is made. */
  has(host: GitHost): boolean;
  /** Tags `sha`; a tag of that name on the same commit is success, on another commit an error. */
  tag(request: HostTagRequest): Promise<ReleaseStepResult>;
  /** Makes the host's release of the tag; one that exists for the tag is success. Answers its page. */
  release(request: HostReleaseRequest): Promise<{ result: ReleaseStepResult; url?: string }>;
  /** Where a commit is shown on the host, for the notes' links; undefined when slipway cannot tell. */
  commitUrl(repo: HostRepo, sha: string): string | undefined;
}

/** Gives an image in the registry a further tag, by digest: no pull, no push of layers, no rebuild. */
export interface ImageTagger {
  /** `image` is `registry/name`; a tag already on `digest` is success, on another digest an error. */
  tag(image: string, digest: string, tag: string): Promise<ReleaseStepResult>;
}

/** What the release step reads from the run's repository and writes to it (its mirror, with the clone credentials). */
export interface ReleaseSource {
  /** The commits after `from` up to the run's commit, newest first (all of them up to `limit` when `from` is undefined). */
  commitsSince(from: string | undefined, limit: number): Promise<ReleaseCommit[]>;
  /** Pushes the tag of the run's commit with git; a tag of that name on the same commit is success. */
  pushTag(tag: string): Promise<ReleaseStepResult>;
}
