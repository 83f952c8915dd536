import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { rolloutState } from '../../../../src/adapters/kubernetes/rollout-status.js';

const deployment = (generation: number, status: V1Deployment['status'], replicas = 3): V1Deployment => ({ metadata: { name: 'web', generation }, spec: { replicas, selector: {}, template: {} }, status });
const progressing = (reason: string, message = '') => ({ conditions: [{ type: 'Progressing', status: reason === 'ProgressDeadlineExceeded' ? 'False' : 'True', reason, message }] });

// The cases of kubectl's DeploymentStatusViewer, in its order.
describe('rolloutState', () => {
  it.each([
    ['a spec the controller has not seen yet', deployment(3, { observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 }), { phase: 'waiting', message: 'waiting for the new spec to be observed' }],
    ['the progress deadline passed', deployment(2, { observedGeneration: 2, updatedReplicas: 1, replicas: 4, ...progressing('ProgressDeadlineExceeded', 'ReplicaSet "web-1" has timed out progressing.') }), { phase: 'failed', message: 'exceeded its progress deadline (ReplicaSet "web-1" has timed out progressing.)' }],
    ['replicas still to update', deployment(2, { observedGeneration: 2, updatedReplicas: 1, replicas: 4, availableReplicas: 3 }), { phase: 'waiting', message: '1/3 replicas updated' }],
    ['old replicas still terminating', deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 4, availableReplicas: 3 }), { phase: 'waiting', message: '1 old replica pending termination' }],
    ['updated replicas not yet available', deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 2 }), { phase: 'waiting', message: '2/3 updated replicas available' }],
    ['everything updated and available', deployment(2, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3, ...progressing('NewReplicaSetAvailable') }), { phase: 'done', message: '3/3 replicas updated and available' }],
    ['a Deployment scaled to zero', deployment(2, { observedGeneration: 2 }, 0), { phase: 'done', message: '0/0 replicas updated and available' }],
  ])('%s', (_case, given, expected) => {
    expect(rolloutState(given)).toEqual(expected);
  });
});
