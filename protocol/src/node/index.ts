/**
 * Node-only helpers (`@okno/protocol/node`): a fast SHA-256 from node:crypto, Mosquitto password
 * files in the `mosquitto_passwd` format, and a ChunkStore on disk.
 */
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sha256 } from '../hash.js';
import { FileOffer } from '../files/messages.js';
import type { ChunkStore } from '../files/store.js';
import { isMessageId } from '../ids.js';

export const nodeSha256: Sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** PBKDF2 iterations Mosquitto 2.x's mosquitto_passwd uses. */
export const MOSQUITTO_PBKDF2_ITERATIONS = 101;
const SALT_BYTES = 12;

/**
 * A Mosquitto 2.x password hash: `$7$<iterations>$<base64 salt>$<base64 PBKDF2-SHA512>`, exactly
 * what `mosquitto_passwd` writes (12-byte salt, 64-byte key).
 */
export function mosquittoPasswordHash(password: string, opts: { iterations?: number; salt?: Buffer } = {}): string {
  const iterations = opts.iterations ?? MOSQUITTO_PBKDF2_ITERATIONS;
  const salt = opts.salt ?? randomBytes(SALT_BYTES);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a `$7$` hash. */
export function verifyMosquittoPassword(password: string, hash: string): boolean {
  const m = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(hash);
  if (!m) return false;
  const want = Buffer.from(m[3]!, 'base64');
  const got = pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(m[2]!, 'base64'), Number(m[1]), want.length, 'sha512');
  return got.length === want.length && timingSafeEqual(got, want);
}

/** A Mosquitto `password_file`: one `user:$7$...` line each. User names must not contain ':'. */
export function mosquittoPasswordFile(users: readonly { username: string; password: string }[]): string {
  return users
    .map(({ username, password }) => {
      if (!username || username.includes(':') || /\s/.test(username)) throw new Error(`user name "${username}" cannot be used in a Mosquitto password file`);
      return `${username}:${mosquittoPasswordHash(password)}\n`;
    })
    .join('');
}

async function writeDurable(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}

/**
 * Chunks on disk: <dir>/<transferId>/{offer.json, <index>.chunk, complete}. Survives restarts, so
 * transfers resume where they stopped.
 */
export class DirChunkStore implements ChunkStore {
  constructor(readonly dir: string) {}

  private path(id: string, ...rest: string[]): string {
    if (!isMessageId(id)) throw new Error(`invalid transfer id "${id}"`);
    return join(this.dir, id, ...rest);
  }

  async getOffer(id: string): Promise<FileOffer | undefined> {
    try {
      return FileOffer.parse(JSON.parse(await readFile(this.path(id, 'offer.json'), 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
  async putOffer(offer: FileOffer): Promise<void> {
    await mkdir(this.path(offer.transferId), { recursive: true });
    await writeDurable(this.path(offer.transferId, 'offer.json'), JSON.stringify(offer));
  }
  async putChunk(id: string, index: number, data: Uint8Array): Promise<void> {
    await mkdir(this.path(id), { recursive: true });
    await writeDurable(this.path(id, `${index}.chunk`), data);
  }
  async chunkIndexes(id: string): Promise<number[]> {
    try {
      return (await readdir(this.path(id))).filter((f) => /^\d+\.chunk$/.test(f)).map((f) => Number(f.slice(0, -6)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
  async readFile(id: string): Promise<Uint8Array> {
    const offer = await this.getOffer(id);
    if (!offer) throw new Error(`no offer stored for ${id}`);
    const parts: Buffer[] = [];
    for (let i = 0; i < offer.chunkCount; i++) parts.push(await readFile(this.path(id, `${i}.chunk`)));
    return Buffer.concat(parts);
  }
  async markComplete(id: string, sha256: string): Promise<void> {
    await writeDurable(this.path(id, 'complete'), sha256);
    for (const i of await this.chunkIndexes(id)) await rm(this.path(id, `${i}.chunk`), { force: true });
  }
  async completedSha256(id: string): Promise<string | undefined> {
    try {
      return (await readFile(this.path(id, 'complete'), 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
  async dropChunks(id: string): Promise<void> {
    for (const i of await this.chunkIndexes(id)) await rm(this.path(id, `${i}.chunk`), { force: true });
  }
  async discard(id: string): Promise<void> {
    await rm(this.path(id), { recursive: true, force: true });
  }
}

export async function writeMosquittoFiles(dir: string, files: { passwordFile: string; aclFile: string }): Promise<{ passwordPath: string; aclPath: string }> {
  await mkdir(dir, { recursive: true });
  const passwordPath = join(dir, 'okno.passwd');
  const aclPath = join(dir, 'okno.acl');
  await writeFile(passwordPath, files.passwordFile, { mode: 0o600 });
  await writeFile(aclPath, files.aclFile, { mode: 0o644 });
  return { passwordPath, aclPath };
}
