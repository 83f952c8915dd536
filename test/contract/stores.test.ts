import { RedisApprovalStore } from '../../src/adapters/store/redis-approval-store.js';
import { RedisArtifactStore } from '../../src/adapters/store/redis-artifact-store.js';
import { RedisAuditLog } from '../../src/adapters/store/redis-audit-log.js';
import { RedisDeploymentStore } from '../../src/adapters/store/redis-deployment-store.js';
import { RedisFreezeStore } from '../../src/adapters/store/redis-freeze-store.js';
import { RedisLease } from '../../src/adapters/store/redis-lease.js';
import { RedisLockStore } from '../../src/adapters/store/redis-lock-store.js';
import { RedisLogStore } from '../../src/adapters/store/redis-log-store.js';
import { RedisOnceStore } from '../../src/adapters/store/redis-once-store.js';
import { RedisPassStore } from '../../src/adapters/store/redis-pass-store.js';
import { RedisPortStore } from '../../src/adapters/store/redis-port-store.js';
import { RedisPushLog } from '../../src/adapters/store/redis-push-log.js';
import { RedisQuarantineStore } from '../../src/adapters/store/redis-quarantine-store.js';
import { RedisReleaseStore } from '../../src/adapters/store/redis-release-store.js';
import { RedisRunStore } from '../../src/adapters/store/redis-run-store.js';
import { MemoryApprovalStore } from '../memory/memory-approval-store.js';
import { MemoryArtifactStore } from '../memory/memory-artifact-store.js';
import { MemoryAuditLog } from '../memory/memory-audit-log.js';
import { MemoryDeploymentStore } from '../memory/memory-deployment-store.js';
import { MemoryFreezeStore } from '../memory/memory-freeze-store.js';
import { MemoryLease } from '../memory/memory-lease.js';
import { MemoryLockStore } from '../memory/memory-lock-store.js';
import { MemoryLogStore } from '../memory/memory-log-store.js';
import { MemoryOnceStore } from '../memory/memory-once-store.js';
import { MemoryPassStore } from '../memory/memory-pass-store.js';
import { MemoryPortStore } from '../memory/memory-port-store.js';
import { MemoryPushLog } from '../memory/memory-push-log.js';
import { MemoryQuarantineStore } from '../memory/memory-quarantine-store.js';
import { MemoryReleaseStore } from '../memory/memory-release-store.js';
import { MemoryRunStore } from '../memory/memory-run-store.js';
import { describeApprovalStoreContract } from './approval-store.contract.js';
import { describeArtifactStoreContract } from './artifact-store.contract.js';
import { describeAuditLogContract } from './audit-log.contract.js';
import { describeDeploymentStoreContract } from './deployment-store.contract.js';
import { describeFreezeStoreContract } from './freeze-store.contract.js';
import { describeLeaseContract } from './lease.contract.js';
import { describeLockStoreContract } from './lock-store.contract.js';
import { describeLogStoreContract } from './log-store.contract.js';
import { memorySubject } from './memory-subjects.js';
import { describeOnceStoreContract } from './once-store.contract.js';
import { describePassStoreContract } from './pass-store.contract.js';
import { describePortStoreContract } from './port-store.contract.js';
import { describePushLogContract } from './push-log.contract.js';
import { describeQuarantineStoreContract } from './quarantine-store.contract.js';
import { redisSubjects } from './redis-subjects.js';
import { describeReleaseStoreContract } from './release-store.contract.js';
import { describeRunStoreContract } from './run-store.contract.js';

// Every store port's contract, run against its Redis store (on a private redis-server) and its memory store.
const redis = redisSubjects();

describeRunStoreContract('redis', redis((r) => new RedisRunStore(r)));
describeRunStoreContract('memory', memorySubject(() => new MemoryRunStore()));

describeOnceStoreContract('redis', redis((r) => new RedisOnceStore(r)));
describeOnceStoreContract('memory', memorySubject((now) => new MemoryOnceStore(now)));

describeReleaseStoreContract('redis', redis((r) => new RedisReleaseStore(r)));
describeReleaseStoreContract('memory', memorySubject(() => new MemoryReleaseStore()));

describeDeploymentStoreContract('redis', redis((r) => new RedisDeploymentStore(r)));
describeDeploymentStoreContract('memory', memorySubject(() => new MemoryDeploymentStore()));

describePortStoreContract('redis', redis((r) => new RedisPortStore(r)));
describePortStoreContract('memory', memorySubject(() => new MemoryPortStore()));

describeLogStoreContract('redis', redis((r) => new RedisLogStore(r)));
describeLogStoreContract('memory', memorySubject((now) => new MemoryLogStore(now)));

describeLeaseContract('redis', redis((r) => new RedisLease(r)));
describeLeaseContract('memory', memorySubject((now) => new MemoryLease(now)));

describeApprovalStoreContract('redis', redis((r) => new RedisApprovalStore(r)));
describeApprovalStoreContract('memory', memorySubject((now) => new MemoryApprovalStore(now)));

describeLockStoreContract('redis', redis((r) => new RedisLockStore(r)));
describeLockStoreContract('memory', memorySubject(() => new MemoryLockStore()));

describeQuarantineStoreContract('redis', redis((r) => new RedisQuarantineStore(r)));
describeQuarantineStoreContract('memory', memorySubject(() => new MemoryQuarantineStore()));

describePushLogContract('redis', redis((r) => new RedisPushLog(r)));
describePushLogContract('memory', memorySubject((now) => new MemoryPushLog(now)));

describeFreezeStoreContract('redis', redis((r) => new RedisFreezeStore(r)));
describeFreezeStoreContract('memory', memorySubject((now) => new MemoryFreezeStore(now)));

describePassStoreContract('redis', redis((r) => new RedisPassStore(r)));
describePassStoreContract('memory', memorySubject(() => new MemoryPassStore()));

describeAuditLogContract('redis', redis((r) => new RedisAuditLog(r)));
describeAuditLogContract('memory', memorySubject(() => new MemoryAuditLog()));

describeArtifactStoreContract('redis', redis((r) => new RedisArtifactStore(r)));
describeArtifactStoreContract('memory', memorySubject((now) => new MemoryArtifactStore(now)));
