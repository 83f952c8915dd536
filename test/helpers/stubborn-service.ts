import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SampleRepo } from './sample-repo.js';

/**
 * The sample service started the way many images start theirs: a shell that `exec`s the app, which is then
 * PID 1. The kernel gives PID 1 no default action for SIGTERM, and busybox `httpd` sets none: run without an
 * init, `docker stop` waits out its whole timeout and then kills it.
 */
export const STUBBORN_CMD = 'CMD ["sh", "-c", "exec httpd -f -p 127.0.0.1:${PORT} -h /app/www"]';

/** Commits the sample repository's Dockerfile with its app's command changed to STUBBORN_CMD; the new sha. */
export async function makeStubborn(repo: SampleRepo): Promise<string> {
  const dockerfile = await readFile(join(repo.dir, 'work', 'Dockerfile'), 'utf8');
  if (!/^CMD .*$/m.test(dockerfile)) throw new Error('the sample Dockerfile has no CMD line to replace');
  return repo.commit({ Dockerfile: dockerfile.replace(/^CMD .*$/m, STUBBORN_CMD) }, 'Run httpd as PID 1');
}
