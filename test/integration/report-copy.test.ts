import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../src/adapters/docker/docker-client.js';
import { dockerImageEngine } from '../../src/adapters/docker/docker-image-engine.js';
import { until } from '../helpers/run-watch.js';

const docker = dockerClient(process.env.DOCKER_HOST);
const images = dockerImageEngine(docker, async (registry) => ({ serveraddress: registry }));
const TAG = `slipway-test/report-copy:${process.pid}`;
let dir: string;

/** The containers the engine created from `image` since `since` (seconds). */
async function containersCreatedFrom(image: string, since: number): Promise<string[]> {
  const filters = { type: ['container' as const], event: ['create'], image: [image] };
  const stream = await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000), filters });
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: string }).id);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-report-copy-'));
  await writeFile(join(dir, 'junit.xml'), '<testsuites/>\n');
  await writeFile(join(dir, 'lcov.info'), 'LF:10\nLH:9\n');
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY junit.xml lcov.info /reports/\n');
  const built = await images.build({ contextDir: dir, dockerfile: 'Dockerfile', tag: TAG });
  if (!built.ok) throw new Error(`the report image did not build: ${built.error}`);
}, 120_000);
afterAll(async () => {
  await images.discard({ image: TAG });
  await rm(dir, { recursive: true, force: true });
});

describe('reading reports out of an image', () => {
  it('copies every report in one go, through one container, and says which is not there', async () => {
    // Arrange
    const since = Math.floor(Date.now() / 1000);

    // Act
    const texts = await images.readFiles({ image: TAG }, ['/reports/junit.xml', '/reports/none.xml', '/reports/lcov.info']);

    // Assert
    expect(texts).toEqual(['<testsuites/>\n', undefined, 'LF:10\nLH:9\n']);
    const created = await containersCreatedFrom(TAG, since);
    expect(created).toHaveLength(1);
    // Removed beside the run, not before the reports are answered.
    const gone = await until(() => docker.getContainer(created[0]!).inspect().then(() => undefined, (error: { statusCode?: number }) => error.statusCode), 'the copy container to be removed', 30_000);
    expect(gone).toBe(404);
  });
});
