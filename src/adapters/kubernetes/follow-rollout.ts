import type { AppsV1Api, V1Deployment } from '@kubernetes/client-node';
import { rolloutState } from './rollout-status.js';

/** How often the Deployment is read while a rollout goes on. */
const POLL_MS = 500;

export type RolloutOutcome = { ok: true; deployment: V1Deployment } | { ok: false; cause: string; deployment: V1Deployment };

/**
 * Reads the Deployment until its rollout is done or failed (as `kubectl rollout status` judges it), or until
 * `timeoutMs` is over; each new progress phrase ("2/3 replicas updated") goes to `log` once.
 */
export async function followRollout(
  apps: AppsV1Api,
  target: { namespace: string; name: string },
  timeoutMs: number,
  log: (...lines: string[]) => Promise<void>,
): Promise<RolloutOutcome> {
  const deadline = Date.now() + timeoutMs;
  let said = '';
  for (;;) {
    const deployment = await apps.readNamespacedDeployment(target);
    const state = rolloutState(deployment);
    if (state.message !== said) {
      said = state.message;
      await log(`${target.name}: ${state.message}`);
    }
    if (state.phase === 'done') return { ok: true, deployment };
    if (state.phase === 'failed') return { ok: false, cause: `the rollout ${state.message}`, deployment };
    if (Date.now() >= deadline) {
      return { ok: false, cause: `the rollout did not finish within ${Math.round(timeoutMs / 1000)} s (deployTimeoutSeconds; ${state.message})`, deployment };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}
