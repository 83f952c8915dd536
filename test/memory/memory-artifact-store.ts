import type { Artifact, ArtifactStore } from '../../src/core/ports.js';
import { ExpiringMap } from './expiring-map.js';

const KEEP_MS = 30 * 24 * 3600 * 1000;
const MAX_BYTES = 5 * 1024 * 1024;

/** As the Redis store: each file kept 30 days; a run's list 30 days from its last file; larger files dropped. */
export class MemoryArtifactStore implements ArtifactStore {
  /** By `runId:stage:name`. */
  private readonly files: ExpiringMap<Buffer>;
  /** By run id, in the order saved (a file saved twice is listed twice, as the Redis list does). */
  private readonly lists: ExpiringMap<Artifact[]>;

  constructor(now: () => number = Date.now) {
    this.files = new ExpiringMap(now);
    this.lists = new ExpiringMap(now);
  }

  async save(artifact: Artifact, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > MAX_BYTES) return;
    this.files.set(fileKey(artifact), Buffer.from(bytes), KEEP_MS);
    this.lists.set(artifact.runId, [...(this.lists.get(artifact.runId) ?? []), structuredClone(artifact)], KEEP_MS);
  }

  async list(runId: string): Promise<Artifact[]> {
    return structuredClone(this.lists.get(runId) ?? []);
  }

  /** A Buffer, as ioredis answers. */
  async read(artifact: Artifact): Promise<Uint8Array | undefined> {
    const bytes = this.files.get(fileKey(artifact));
    return bytes === undefined ? undefined : Buffer.from(bytes);
  }
}

const fileKey = (artifact: Artifact) => `${artifact.runId}:${artifact.stage}:${artifact.name}`;
