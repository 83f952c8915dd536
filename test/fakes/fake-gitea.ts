import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StatusCall } from './fake-github.js';
import { FakePullRequests } from './fake-pull-requests.js';
import { FakeRepos, isSha, jsonBody } from './fake-repos.js';

type Answer = [status: number, body: unknown];

/**
 * Gitea's REST API under /api/v1, the parts slipway uses, at their HTTP boundary and answering as Gitea does:
 * pull requests and their comments (pull request deploys, FakePullRequests), commit statuses, and tags and
 * releases (`…/tags`, `…/releases`: 409 for one that exists, 404 for an unknown repository, 422 for a missing
 * field). `Authorization: token …` is checked on every call. Any other call is a problem the test fails on:
 * `problems` for pull requests and statuses, `repos.problems` for tags and releases.
 */
export class FakeGitea {
  readonly problems: string[] = [];
  readonly statuses: StatusCall[] = [];
  readonly pulls = new FakePullRequests('/api/v1', 'https://gitea.example.com', this.problems);
  /** Tags and releases of the repositories added to it; others are 404. */
  readonly repos = new FakeRepos('https://gitea.example');
  private server?: Server;

  constructor(private readonly token: string) {}

  /** What GITEA_API_URL is set to. */
  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/api/v1`;
  }

  /** Listens on 127.0.0.1:`port` (0: any free port). */
  async start(port = 0): Promise<void> {
    this.server = createServer(async (req, res) => {
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const method = req.method ?? '';
      const url = req.url ?? '';
      const body = await jsonBody(req);
      const release = RELEASE_PATH.exec(url);
      if (release) {
        this.repos.calls.push(`${method} ${url}`);
        if (req.headers.authorization !== `token ${this.token}`) return reply(401, { message: 'user does not exist', url: 'https://gitea.example/api/swagger' });
        if (body === undefined || (method === 'POST' && req.headers['content-type'] !== 'application/json')) {
          this.repos.problems.push(`not a JSON body: ${method} ${url}`);
          return reply(422, { message: 'invalid JSON' });
        }
        return reply(...this.tagsAndReleases(method, url, `${release[1]}/${release[2]}`, release[3]!, body));
      }
      if (req.headers.authorization !== `token ${this.token}`) {
        this.problems.push(`bad authorization "${req.headers.authorization ?? ''}" on ${method} ${url}`);
        return reply(401, { message: 'token is required' });
      }
      if (body === undefined) {
        this.problems.push(`a body that is not JSON on ${method} ${url}`);
        return reply(400, { message: 'invalid JSON' });
      }
      const handled = this.pulls.handle(method, url, body);
      if (handled) return reply(...handled);
      const status = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]{40})$/.exec(url);
      if (method === 'POST' && status && ['pending', 'success', 'error', 'failure', 'warning'].includes(String(body.state))) {
        this.statuses.push({ owner: status[1]!, repo: status[2]!, sha: status[3]!, ...(body as { state: string }) });
        return reply(201, { id: this.statuses.length, ...body });
      }
      this.problems.push(`unexpected ${method} ${url}`);
      reply(404, { message: 'Not Found' });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private tagsAndReleases(method: string, url: string, repo: string, what: string, body: Record<string, unknown>): Answer {
    if (!this.repos.has(repo)) return [404, { message: 'The target couldn\'t be found.', errors: [] }];
    const invalid = (why: string): Answer => {
      this.repos.problems.push(`${why}: ${JSON.stringify(body)}`);
      return [422, { message: why }];
    };
    if (method === 'POST' && what === 'tags') {
      if (typeof body.tag_name !== 'string' || body.tag_name === '') return invalid('tag_name is required');
      if (body.target !== undefined && !isSha(body.target)) return invalid('target is not a commit');
      if (this.repos.tagOf(repo, body.tag_name)) return [409, { message: `tag ${body.tag_name} already exists` }];
      this.repos.setTag(repo, body.tag_name, String(body.target));
      return [201, { name: body.tag_name, commit: { sha: body.target } }];
    }
    if (method === 'GET' && what.startsWith('tags/')) {
      const tag = decodeURIComponent(what.slice('tags/'.length));
      const sha = this.repos.tagOf(repo, tag);
      return sha ? [200, { name: tag, id: sha, commit: { sha, url: `https://gitea.example/${repo}/commit/${sha}` } }] : [404, { message: 'tag not found' }];
    }
    if (method === 'POST' && what === 'releases') {
      if (typeof body.tag_name !== 'string' || body.tag_name === '') return invalid('tag_name is required');
      if (this.repos.releaseOf(repo, body.tag_name)) return [409, { message: 'Release is already exist' }];
      if (!this.repos.tagOf(repo, body.tag_name) && isSha(body.target_commitish)) this.repos.setTag(repo, body.tag_name, body.target_commitish);
      const release = this.repos.addRelease(repo, { tag: body.tag_name, name: body.name as string | undefined, notes: body.body as string | undefined }, 'releases/tag');
      return [201, { id: 1, tag_name: release.tag, html_url: release.url }];
    }
    if (method === 'GET' && what.startsWith('releases/tags/')) {
      const release = this.repos.releaseOf(repo, decodeURIComponent(what.slice('releases/tags/'.length)));
      return release ? [200, { id: 1, tag_name: release.tag, html_url: release.url }] : [404, { message: 'release not found' }];
    }
    this.repos.problems.push(`unexpected ${method} ${url}`);
    return [404, { message: 'not found' }];
  }
}

const RELEASE_PATH = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/(tags|tags\/[^/]+|releases|releases\/tags\/[^/]+)$/;
