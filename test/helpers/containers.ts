import { dockerClient } from '../../src/adapters/docker/docker-client.js';

/** Removes every container slipway ran for `service` in this test file (they carry its label). */
export async function removeContainersOf(service: string): Promise<void> {
  const docker = dockerClient(process.env.DOCKER_HOST);
  const containers = await docker.listContainers({ all: true, filters: { label: [`slipway.service=${service}`] } });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}
