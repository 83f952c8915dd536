import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeRepos, isSha, jsonBody } from './fake-repos.js';

/**
 * GitLab's tag and release APIs (`/api/v4/projects/:id/repository/tags`, `…/releases`; `:id` the URL-encoded
 * path) at their HTTP boundary, as GitLab answers: `PRIVATE-TOKEN`, 400 "Tag … already exists", 409 "Release
 * already exists", 404 "Project Not Found", 400 for a missing parameter. Any other call is a problem.
 */
export class FakeGitLab {
  readonly repos = new FakeRepos('https://gitlab.example');
  private server?: Server;

  constructor(private readonly token: string) {}

  get apiUrl(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/api/v4`;
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
      if (req.headers['private-token'] !== this.token) return reply(401, { message: '401 Unauthorized' });
      const match = /^\/api\/v4\/projects\/([^/]+)\/(repository\/tags|repository\/tags\/[^/]+|releases|releases\/[^/]+)$/.exec(req.url ?? '');
      if (!match || body === undefined) {
        this.repos.problems.push(`unexpected ${req.method} ${req.url}`);
        return reply(404, { error: '404 Not Found' });
      }
      // An id with a raw slash would be another path: GitLab takes the project's path URL-encoded.
      const repo = decodeURIComponent(match[1]!);
      const what = match[2]!;
      if (!this.repos.has(repo)) return reply(404, { message: '404 Project Not Found' });
      const missing = (param: string) => {
        this.repos.problems.push(`${param} is missing: ${JSON.stringify(body)}`);
        reply(400, { error: `${param} is missing` });
      };
      if (req.method === 'POST' && what === 'repository/tags') {
        if (typeof body.tag_name !== 'string') return missing('tag_name');
        if (typeof body.ref !== 'string') return missing('ref');
        if (this.repos.tagOf(repo, body.tag_name)) return reply(400, { message: `Tag ${body.tag_name} already exists` });
        if (!isSha(body.ref)) return reply(400, { message: 'Target ref is invalid' });
        this.repos.setTag(repo, body.tag_name, body.ref);
        return reply(201, { name: body.tag_name, commit: { id: body.ref } });
      }
      if (req.method === 'GET' && what.startsWith('repository/tags/')) {
        const tag = decodeURIComponent(what.slice('repository/tags/'.length));
        const sha = this.repos.tagOf(repo, tag);
        return sha ? reply(200, { name: tag, commit: { id: sha } }) : reply(404, { message: '404 Tag Not Found' });
      }
      if (req.method === 'POST' && what === 'releases') {
        if (typeof body.tag_name !== 'string') return missing('tag_name');
        if (this.repos.releaseOf(repo, body.tag_name)) return reply(409, { message: 'Release already exists' });
        if (!this.repos.tagOf(repo, body.tag_name)) {
          if (typeof body.ref !== 'string') return missing('ref');
          this.repos.setTag(repo, body.tag_name, body.ref);
        }
        const release = this.repos.addRelease(repo, { tag: body.tag_name, name: body.name as string | undefined, notes: body.description as string | undefined }, '-/releases');
        return reply(201, { tag_name: release.tag, name: release.name, _links: { self: release.url } });
      }
      if (req.method === 'GET' && what.startsWith('releases/')) {
        const release = this.repos.releaseOf(repo, decodeURIComponent(what.slice('releases/'.length)));
        return release ? reply(200, { tag_name: release.tag, _links: { self: release.url } }) : reply(404, { message: '404 Not found' });
      }
      this.repos.problems.push(`unexpected ${req.method} ${req.url}`);
      return reply(404, { error: '404 Not Found' });
    });
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
