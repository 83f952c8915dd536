import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeRepos, isSha, jsonBody } from './fake-repos.js';

/**
 * Gitea's tag and release APIs (`/api/v1/repos/{owner}/{repo}/tags`, `…/releases`) at their HTTP boundary, as
 * Gitea answers: `Authorization: token …`, 409 for a tag or release that exists, 404 for an unknown repository,
 * 422 for a missing field. Any other call is a problem the test fails on.
 */
export class FakeGitea {
  readonly repos = new FakeRepos('https://gitea.example');
  private server?: Server;

  constructor(private readonly token: string) {}

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
      const body = await jsonBody(req);
      this.repos.calls.push(`${req.method} ${req.url}`);
      if (req.headers.authorization !== `token ${this.token}`) return reply(401, { message: 'user does not exist', url: 'https://gitea.example/api/swagger' });
      if (body === undefined || (req.method === 'POST' && req.headers['content-type'] !== 'application/json')) {
        this.repos.problems.push(`not a JSON body: ${req.method} ${req.url}`);
        return reply(422, { message: 'invalid JSON' });
      }
      const match = /^\/api\/v1\/repos\/([^/]+)\/([^/]+)\/(tags|tags\/[^/]+|releases|releases\/tags\/[^/]+)$/.exec(req.url ?? '');
      if (!match) {
        this.repos.problems.push(`unexpected ${req.method} ${req.url}`);
        return reply(404, { message: 'not found' });
      }
      const repo = `${match[1]}/${match[2]}`;
      const what = match[3]!;
      if (!this.repos.has(repo)) return reply(404, { message: 'The target couldn\'t be found.', errors: [] });
      const invalid = (why: string) => {
        this.repos.problems.push(`${why}: ${JSON.stringify(body)}`);
        reply(422, { message: why });
      };
      if (req.method === 'POST' && what === 'tags') {
        if (typeof body.tag_name !== 'string' || body.tag_name === '') return invalid('tag_name is required');
        if (body.target !== undefined && !isSha(body.target)) return invalid('target is not a commit');
        if (this.repos.tagOf(repo, body.tag_name)) return reply(409, { message: `tag ${body.tag_name} already exists` });
        this.repos.setTag(repo, body.tag_name, String(body.target));
        return reply(201, { name: body.tag_name, commit: { sha: body.target } });
      }
      if (req.method === 'GET' && what.startsWith('tags/')) {
        const tag = decodeURIComponent(what.slice('tags/'.length));
        const sha = this.repos.tagOf(repo, tag);
        return sha ? reply(200, { name: tag, id: sha, commit: { sha, url: `https://gitea.example/${repo}/commit/${sha}` } }) : reply(404, { message: 'tag not found' });
      }
      if (req.method === 'POST' && what === 'releases') {
        if (typeof body.tag_name !== 'string' || body.tag_name === '') return invalid('tag_name is required');
        if (this.repos.releaseOf(repo, body.tag_name)) return reply(409, { message: 'Release is already exist' });
        if (!this.repos.tagOf(repo, body.tag_name) && isSha(body.target_commitish)) this.repos.setTag(repo, body.tag_name, body.target_commitish);
        const release = this.repos.addRelease(repo, { tag: body.tag_name, name: body.name as string | undefined, notes: body.body as string | undefined }, 'releases/tag');
        return reply(201, { id: 1, tag_name: release.tag, html_url: release.url });
      }
      if (req.method === 'GET' && what.startsWith('releases/tags/')) {
        const release = this.repos.releaseOf(repo, decodeURIComponent(what.slice('releases/tags/'.length)));
        return release ? reply(200, { id: 1, tag_name: release.tag, html_url: release.url }) : reply(404, { message: 'release not found' });
      }
      this.repos.problems.push(`unexpected ${req.method} ${req.url}`);
      return reply(404, { message: 'not found' });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
