import { MemoryApprovalStore } from './memory-approval-store.js';
import { MemoryArtifactStore } from './memory-artifact-store.js';
import { MemoryAuditLog } from './memory-audit-log.js';
import { MemoryDeploymentStore } from './memory-deployment-store.js';
import { MemoryFreezeStore } from './memory-freeze-store.js';
import { MemoryLease } from './memory-lease.js';
import { MemoryLockStore } from './memory-lock-store.js';
import { MemoryLogStore } from './memory-log-store.js';
import { MemoryOnceStore } from './memory-once-store.js';
import { MemoryPassStore } from './memory-pass-store.js';
import { MemoryPortStore } from './memory-port-store.js';
import { MemoryPushLog } from './memory-push-log.js';
import { MemoryQuarantineStore } from './memory-quarantine-store.js';
import { MemoryReleaseStore } from './memory-release-store.js';
import { MemoryRunStore } from './memory-run-store.js';
import { MemoryVersionStore } from './memory-version-store.js';

/** One in-memory store of each port, named as callers' dependencies name them; TTLs read `now`. */
export function memoryStores(now: () => number = Date.now) {
  return {
    runs: new MemoryRunStore(),
    once: new MemoryOnceStore(now),
    releases: new MemoryReleaseStore(),
    deployments: new MemoryDeploymentStore(),
    ports: new MemoryPortStore(),
    logs: new MemoryLogStore(now),
    lease: new MemoryLease(now),
    approvals: new MemoryApprovalStore(now),
    locks: new MemoryLockStore(),
    quarantines: new MemoryQuarantineStore(),
    pushes: new MemoryPushLog(now),
    freezes: new MemoryFreezeStore(now),
    passes: new MemoryPassStore(),
    audit: new MemoryAuditLog(),
    artifacts: new MemoryArtifactStore(now),
    versions: new MemoryVersionStore(),
  };
}

export type MemoryStores = ReturnType<typeof memoryStores>;
