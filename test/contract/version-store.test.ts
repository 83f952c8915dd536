import { RedisVersionStore } from '../../src/adapters/store/redis-version-store.js';
import { MemoryVersionStore } from '../memory/memory-version-store.js';
import { memorySubject } from './memory-subjects.js';
import { redisSubjects } from './redis-subjects.js';
import { describeVersionStoreContract } from './version-store.contract.js';

const redis = redisSubjects();

describeVersionStoreContract('redis', redis((r) => new RedisVersionStore(r)));
describeVersionStoreContract('memory', memorySubject(() => new MemoryVersionStore()));
