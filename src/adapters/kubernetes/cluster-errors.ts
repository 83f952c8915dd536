import { ApiException } from '@kubernetes/client-node';
import { z } from 'zod';

/** The Status object the API server answers a refused request with; only what a message needs. */
const Status = z.object({ message: z.string().optional(), reason: z.string().optional() });

export type ClusterPlace = { server: string; context: string; namespace: string; deployment: string };

/**
 * One sentence for anything the API server or the network says, naming the cluster and what to do: it goes
 * into the failure alert. Credentials and permissions are told apart from a missing Deployment.
 */
export function clusterProblem(error: unknown, place: ClusterPlace): string {
  const at = `the Kubernetes API at ${place.server} (context ${place.context || 'none'})`;
  const object = `deployment ${place.deployment} in namespace ${place.namespace}`;
  if (error instanceof ApiException) {
    const status = statusOf(error.body);
    const said = status?.message ? `: ${status.message}` : '';
    switch (error.code) {
      case 401:
        return `${at} refused slipway's credentials (401 Unauthorized): the token or certificate of context ${place.context} is wrong or expired; renew it in the kubeconfig`;
      case 403:
        return `${at} forbids slipway to change ${object} (403${said}): grant its user get and patch on deployments and list on replicasets and pods in ${place.namespace}`;
      case 404:
        return `there is no ${object} at ${at}${said}: create it first (slipway changes its image, it does not create it), or fix target.namespace and target.deployment`;
      case 409:
        return `${object} was changed by someone else meanwhile (409 Conflict${said}); deploy again`;
      default:
        return `${at} answered ${error.code} for ${object}${said}`;
    }
  }
  const cause = (error as Error)?.cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error)?.message;
  return `cannot reach ${at}: ${cause ?? String(error)}`;
}

function statusOf(body: unknown): z.infer<typeof Status> | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body ? { message: body.slice(0, 200) } : undefined;
    }
  }
  const parsed = Status.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
