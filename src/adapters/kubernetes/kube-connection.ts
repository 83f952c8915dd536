import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { KubernetesTarget } from '../../core/target-schema.js';

export type KubeConnection = {
  apps: AppsV1Api;
  core: CoreV1Api;
  /** The API server's address, for messages. */
  server: string;
  context: string;
};

/**
 * The API clients of a target's cluster: its kubeconfig file, else the default places (KUBECONFIG,
 * ~/.kube/config, the pod's service account when slipway runs in a cluster), at its context or the current one.
 * Throws a sentence saying what to fix when the file or the context is not there.
 */
export function connectCluster(target: Pick<KubernetesTarget, 'kubeconfig' | 'context'>): KubeConnection {
  const config = new KubeConfig();
  try {
    if (target.kubeconfig) config.loadFromFile(target.kubeconfig);
    else config.loadFromDefault();
  } catch (error) {
    throw new Error(`cannot read the kubeconfig ${target.kubeconfig ?? 'from KUBECONFIG or ~/.kube/config'}: ${(error as Error).message}`, { cause: error });
  }
  const from = target.kubeconfig ?? 'the default kubeconfig';
  if (target.context) {
    if (!config.getContextObject(target.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new Error(`${from} has no context ${target.context}${known.length ? ` (it has: ${known.join(', ')})` : ''}: set target.context to one of them`);
    }
    config.setCurrentContext(target.context);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(`${from} names no cluster for context ${config.getCurrentContext() || '(none)'}: set target.kubeconfig or target.context`);
  return { apps: config.makeApiClient(AppsV1Api), core: config.makeApiClient(CoreV1Api), server: cluster.server, context: config.getCurrentContext() };
}
