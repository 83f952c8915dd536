import type Docker from 'dockerode';

export function dockerProbe(docker: Docker) {
  return {
    name: 'docker',
    async check() {
      try {
        await docker.ping();
      } catch (error) {
        throw new Error(`the Docker engine does not answer (${(error as Error).message}); run scripts/services.sh or set DOCKER_HOST`, { cause: error });
      }
    },
  };
}
