import type { Redis } from 'ioredis';
import type { Artifact, ArtifactStore } from '../../core/ports.js';
import { keys } from './redis-keys.js';
import { commit } from './commit.js';

const KEEP_SECONDS = 30 * 24 * 3600;
/** A full-page screenshot is well under this; anything larger is not kept in Redis. */
const MAX_BYTES = 5 * 1024 * 1024;

export class RedisArtifactStore implements ArtifactStore {
  constructor(private readonly redis: Redis) {}

  async save(artifact: Artifact, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > MAX_BYTES) return;
    await commit(
      this.redis
        .multi()
        .set(keys.artifact(artifact.runId, artifact.stage, artifact.name), Buffer.from(bytes), 'EX', KEEP_SECONDS)
        .rpush(keys.artifacts(artifact.runId), JSON.stringify(artifact))
        .expire(keys.artifacts(artifact.runId), KEEP_SECONDS)
    );
  }

  async list(runId: string): Promise<Artifact[]> {
    return (await this.redis.lrange(keys.artifacts(runId), 0, -1)).map((t) => JSON.parse(t) as Artifact);
  }

  async read(artifact: Artifact): Promise<Uint8Array | undefined> {
    const bytes = await this.redis.getBuffer(keys.artifact(artifact.runId, artifact.stage, artifact.name));
    return bytes ?? undefined;
  }
}
