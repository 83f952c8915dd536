import Docker from 'dockerode';

/** A client for `DOCKER_HOST` as Docker's own CLI reads it (unix:// or tcp://); unset means the local socket. */
export function dockerClient(dockerHost: string | undefined): Docker {
  if (!dockerHost) return new Docker();
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
}
