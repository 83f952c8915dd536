import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PIDFILE = '.slipway/services/dockerd.pid';

/**
 * Starts the local services with the project's own script (as `npm start` does) and builds dist/ once for the
 * tests that run slipway as a process. Stops the engine afterwards only if this run started it.
 */
export default function setup() {
  const engineWasOurs = existsSync(PIDFILE);
  const output = execFileSync('bash', ['scripts/services.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of output.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) process.env[match[1]] = match[2];
  }
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  return () => {
    if (!engineWasOurs && existsSync(PIDFILE)) execFileSync('bash', ['scripts/services.sh', 'stop'], { stdio: 'inherit' });
  };
}
