/**
 * Where a FileReceiver keeps offers and chunks. A persistent store (files on disk, a database)
 * lets a transfer resume after the receiver restarts; the in-memory one does not survive that.
 */
import type { FileOffer } from './messages.js';

export interface ChunkStore {
  getOffer(transferId: string): Promise<FileOffer | undefined>;
  putOffer(offer: FileOffer): Promise<void>;
  putChunk(transferId: string, index: number, data: Uint8Array): Promise<void>;
  /** Indexes of the chunks stored for a transfer. */
  chunkIndexes(transferId: string): Promise<number[]>;
  /** The chunks 0..count-1 concatenated. */
  readFile(transferId: string): Promise<Uint8Array>;
  /** Marks the transfer complete (a repeated commit then gets `done` again). */
  markComplete(transferId: string, sha256: string): Promise<void>;
  completedSha256(transferId: string): Promise<string | undefined>;
  /** Forgets the chunks (keep the offer) so the transfer starts over. */
  dropChunks(transferId: string): Promise<void>;
  /** Forgets everything about a transfer. */
  discard(transferId: string): Promise<void>;
}

export class MemoryChunkStore implements ChunkStore {
  private readonly offers = new Map<string, FileOffer>();
  private readonly chunks = new Map<string, Map<number, Uint8Array>>();
  private readonly complete = new Map<string, string>();

  async getOffer(id: string) {
    return this.offers.get(id);
  }
  async putOffer(offer: FileOffer) {
    this.offers.set(offer.transferId, offer);
  }
  async putChunk(id: string, index: number, data: Uint8Array) {
    let m = this.chunks.get(id);
    if (!m) this.chunks.set(id, (m = new Map()));
    m.set(index, data.slice());
  }
  async chunkIndexes(id: string) {
    return [...(this.chunks.get(id)?.keys() ?? [])];
  }
  async readFile(id: string) {
    const offer = this.offers.get(id);
    const m = this.chunks.get(id) ?? new Map<number, Uint8Array>();
    const parts: Uint8Array[] = [];
    for (let i = 0; i < (offer?.chunkCount ?? m.size); i++) {
      const c = m.get(i);
      if (!c) throw new Error(`chunk ${i} of ${id} is missing`);
      parts.push(c);
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }
  async markComplete(id: string, sha: string) {
    this.complete.set(id, sha);
    this.chunks.delete(id);
  }
  async completedSha256(id: string) {
    return this.complete.get(id);
  }
  async dropChunks(id: string) {
    this.chunks.delete(id);
  }
  async discard(id: string) {
    this.offers.delete(id);
    this.chunks.delete(id);
    this.complete.delete(id);
  }
  /** Test hook: overwrite stored bytes (simulates storage corruption). */
  corrupt(id: string, index: number): void {
    const c = this.chunks.get(id)?.get(index);
    if (c && c.length) c[0] = c[0]! ^ 0xff;
  }
}
