import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import { extract } from 'tar-stream';

/** Something to search: text, or bytes (a Redis value, a file, an image tar). */
export type Haystack = string | Buffer | readonly (string | Buffer)[];

/**
 * The ways a secret can be written down without being encrypted: as is, hex, and base64 (standard and URL-safe)
 * at each of the three alignments it can take inside a longer encoded text — only the characters that depend
 * on the value alone, so a value encoded in the middle of a larger blob is found too.
 */
export function secretForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms = new Set([value, bytes.toString('hex')]);
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const whole = Math.floor((offset + bytes.length) / 3) * 4; // groups of 3 bytes with no byte from outside
    const own = encoded.slice(offset === 0 ? 0 : 4, whole);
    forms.add(own);
    forms.add(own.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return [...forms];
}

/**
 * Where any form of any secret occurs: one line per hit, naming the place, the secret and a little context,
 * so a failing assertion says exactly where a value got out.
 */
export function findLeaks(places: Record<string, Haystack>, secrets: Record<string, string>): string[] {
  const hits: string[] = [];
  for (const [place, haystack] of Object.entries(places)) {
    const parts = typeof haystack === 'string' || Buffer.isBuffer(haystack) ? [haystack] : haystack;
    for (const part of parts) {
      const bytes = Buffer.isBuffer(part) ? part : Buffer.from(part, 'utf8');
      for (const [name, value] of Object.entries(secrets)) {
        for (const form of secretForms(value)) {
          const at = bytes.indexOf(form);
          if (at < 0) continue;
          const context = bytes.subarray(Math.max(0, at - 60), at + form.length + 20).toString('utf8').replace(/[^\x20-\x7e]/g, '.');
          hits.push(`${place}: ${name}${form === value ? '' : ' (encoded)'} in …${context}…`);
        }
      }
    }
  }
  return hits;
}

const READ_BY_TYPE: Record<string, (key: Buffer) => [string, ...(string | Buffer)[]]> = {
  string: (key) => ['GET', key],
  hash: (key) => ['HGETALL', key],
  list: (key) => ['LRANGE', key, '0', '-1'],
  set: (key) => ['SMEMBERS', key],
  zset: (key) => ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
  stream: (key) => ['XRANGE', key, '-', '+'],
};

/**
 * Every key in Redis with everything it holds, as raw bytes (BullMQ job data included). A key of a type this
 * does not know how to read throws: a store slipway starts using cannot go unsearched without anyone noticing.
 */
export async function redisDump(given: Redis): Promise<Buffer[]> {
  // A connection of its own: slipway's request path is auto-pipelined, and ioredis cannot auto-pipeline
  // `callBuffer` (the whole batch it lands in never answers).
  const redis = given.duplicate({ enableAutoPipelining: false, enableOfflineQueue: true });
  try {
    const keys: Buffer[] = [];
    for await (const batch of redis.scanBufferStream({ count: 1000 })) keys.push(...(batch as Buffer[]));
    const out: Buffer[] = [];
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'none') continue; // expired or deleted since the scan
      const read = READ_BY_TYPE[type];
      if (!read) throw new Error(`Redis key ${key.toString()} is a ${type}, which redisDump cannot read yet: add it`);
      const [command, ...args] = read(key);
      out.push(key, ...flatten(await redis.callBuffer(command, ...args)));
    }
    return out;
  } finally {
    await redis.quit();
  }
}

function flatten(reply: unknown): Buffer[] {
  if (Buffer.isBuffer(reply)) return [reply];
  if (Array.isArray(reply)) return reply.flatMap(flatten);
  return reply === null || reply === undefined ? [] : [Buffer.from(String(reply))];
}

/** Every file under `dir`, read whole (a Redis data dir: its append-only files hold every write, deleted keys too). */
export async function filesUnder(dir: string): Promise<Buffer[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name))));
}

/**
 * `docker save` of an image: the tar the engine exports (config, manifests and every layer), and each of its
 * entries that is gzip-compressed, decompressed (an engine storing compressed layers must not hide a value).
 */
export async function savedImage(docker: Docker, reference: string): Promise<Buffer[]> {
  const stream = await docker.getImage(reference).get();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const tar = Buffer.concat(chunks);
  const unpacked: Buffer[] = [];
  const entries = extract();
  entries.end(tar);
  for await (const entry of entries) {
    const parts: Buffer[] = [];
    for await (const part of entry) parts.push(part as Buffer);
    const content = Buffer.concat(parts);
    if (content[0] === 0x1f && content[1] === 0x8b) unpacked.push(gunzipSync(content));
  }
  return [tar, ...unpacked];
}
