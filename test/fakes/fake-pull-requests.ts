/**
 * Pull requests and their comments as GitHub's REST API serves them (`/repos/{o}/{r}/pulls/{n}`,
 * `/repos/{o}/{r}/issues/{n}/comments`, `/repos/{o}/{r}/issues/comments/{id}`), and Gitea's, the same paths and
 * shapes under /api/v1. Shared by FakeGitHub and FakeGitea: checks the bodies as the hosts do (a comment needs a
 * `body`; an edit needs a comment that exists), records what was posted, and answers 404 for a pull request the
 * test did not set up (recorded as a problem: slipway asked for something it should not have).
 */
export type FakePull = {
  number: number;
  state: 'open' | 'closed';
  title?: string;
  user?: string;
  head: { sha: string; ref: string; /** null: the fork was deleted */ repo: string | null };
  base: { repo: string; ref?: string };
};

export type FakeComment = { id: number; fullName: string; issue: number; body: string; edits: string[] };

type Reply = [status: number, body: unknown];

export class FakePullRequests {
  readonly pulls = new Map<string, FakePull>();
  readonly comments: FakeComment[] = [];
  /** Every pull request read, as `owner/name#n`. */
  readonly reads: string[] = [];
  private nextId = 9000;
  private readonly failures: { method: string; status: number }[] = [];

  constructor(
    private readonly prefix: '' | '/api/v1',
    private readonly htmlBase: string,
    private readonly problems: string[],
  ) {}

  set(fullName: string, pull: FakePull): void {
    this.pulls.set(`${fullName}#${pull.number}`, pull);
  }

  /** The comments on one pull request, as their bodies read now. */
  on(fullName: string, issue: number): string[] {
    return this.comments.filter((c) => c.fullName === fullName && c.issue === issue).map((c) => c.body);
  }

  /** The next `times` requests with this method answer `status`, as the host does when it is down (GitHub's 502). */
  failNext(method: 'GET' | 'POST' | 'PATCH', times: number, status = 502): void {
    for (let i = 0; i < times; i += 1) this.failures.push({ method, status });
  }

  /** The reply to a request these APIs serve; undefined for any other request. */
  handle(method: string, url: string, body: Record<string, unknown>): Reply | undefined {
    const path = url.split('?')[0] ?? '';
    if (!path.startsWith(`${this.prefix}/repos/`) || !/\/(pulls\/\d+|issues\/(\d+\/comments|comments\/\d+))$/.test(path)) return undefined;
    const failure = this.failures.findIndex((f) => f.method === method);
    if (failure >= 0) {
      const [failed] = this.failures.splice(failure, 1);
      return [failed?.status ?? 502, { message: 'Server Error' }];
    }
    const rest = path.slice(`${this.prefix}/repos/`.length);
    let m = /^([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(rest);
    if (m && method === 'GET') return this.read(`${m[1]}/${m[2]}`, Number(m[3]));
    m = /^([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(rest);
    if (m && method === 'POST') return this.add(`${m[1]}/${m[2]}`, Number(m[3]), body);
    m = /^([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(rest);
    if (m && method === 'PATCH') return this.edit(`${m[1]}/${m[2]}`, Number(m[3]), body);
    return undefined;
  }

  private read(fullName: string, number: number): Reply {
    this.reads.push(`${fullName}#${number}`);
    const pull = this.pulls.get(`${fullName}#${number}`);
    if (!pull) {
      this.problems.push(`read of unknown pull request ${fullName}#${number}`);
      return [404, { message: 'Not Found' }];
    }
    const repo = (name: string | null) => (name === null ? null : { full_name: name, name: name.split('/')[1], owner: { login: name.split('/')[0] } });
    return [
      200,
      {
        number,
        state: pull.state,
        title: pull.title ?? `Pull request ${number}`,
        html_url: `${this.htmlBase}/${fullName}/pull/${number}`,
        user: { login: pull.user ?? 'ann' },
        merged: false,
        head: { label: `${pull.head.repo?.split('/')[0] ?? 'unknown'}:${pull.head.ref}`, ref: pull.head.ref, sha: pull.head.sha, repo: repo(pull.head.repo) },
        base: { label: `${pull.base.repo.split('/')[0]}:${pull.base.ref ?? 'main'}`, ref: pull.base.ref ?? 'main', sha: '0'.repeat(40), repo: repo(pull.base.repo) },
      },
    ];
  }

  private add(fullName: string, issue: number, body: Record<string, unknown>): Reply {
    if (typeof body.body !== 'string' || body.body === '') {
      this.problems.push(`a comment without a body on ${fullName}#${issue}: ${JSON.stringify(body)}`);
      return [422, { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }] }];
    }
    if (!this.pulls.has(`${fullName}#${issue}`)) {
      this.problems.push(`a comment on unknown pull request ${fullName}#${issue}`);
      return [404, { message: 'Not Found' }];
    }
    const comment: FakeComment = { id: (this.nextId += 1), fullName, issue, body: body.body, edits: [] };
    this.comments.push(comment);
    return [201, { id: comment.id, body: comment.body, html_url: `${this.htmlBase}/${fullName}/pull/${issue}#issuecomment-${comment.id}`, user: { login: 'slipway-bot' } }];
  }

  private edit(fullName: string, id: number, body: Record<string, unknown>): Reply {
    const comment = this.comments.find((c) => c.id === id && c.fullName === fullName);
    if (!comment) {
      this.problems.push(`an edit of unknown comment ${id} on ${fullName}`);
      return [404, { message: 'Not Found' }];
    }
    if (typeof body.body !== 'string' || body.body === '') {
      this.problems.push(`an edit without a body: ${JSON.stringify(body)}`);
      return [422, { message: 'Validation Failed' }];
    }
    comment.edits.push(comment.body);
    comment.body = body.body;
    return [200, { id, body: comment.body }];
  }
}
