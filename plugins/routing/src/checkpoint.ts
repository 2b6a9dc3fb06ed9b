/**
 * Checkpoints of the contact book (docs/routing.md "Recovery"): the book's whole state and the
 * journal position it covers, in `routing_checkpoints`, so that a start loads it and replays only
 * the journal after it instead of the whole journal.
 *
 * Every node computes the same book from the same journal, so one checkpoint serves them all. It is
 * written with a compare-and-set on the position: a write lands only when it covers more of the
 * journal than the stored one (or the stored one is of another format, or could not be read), so a
 * slow or stale writer never takes the checkpoint back. The runtime has one node at a time write it
 * periodically (a core lease) and every node write it when it stops.
 *
 * The state is JSON text cut into parts (CHECKPOINT_PART_CHARS): a checkpoint of a large book fits
 * MySQL's MEDIUMTEXT and packet limits. A checkpoint carries its format (CHECKPOINT_FORMAT); one of
 * another format, with parts missing or with text that does not parse as a book is not used: the
 * start replays the journal from its beginning and says why.
 */
import { isUniqueViolation, type Database } from '@okno/core';
import type { BookState } from './contact-book.js';
import { RoutingCheckpoint } from './entities.js';

/** The format of the checkpoint's content; a reader ignores any other. */
export const CHECKPOINT_FORMAT = 1;
/** At most this many characters per row (at most 4 bytes each in UTF-8: well inside MEDIUMTEXT and a 16 MB packet). */
export const CHECKPOINT_PART_CHARS = 1_000_000;
const NAME = 'contact-book';

/** What a checkpoint holds besides its position. */
export interface CheckpointContent {
  /** How long the book that wrote it remembered appeals (a book needing longer does not use it). */
  retention: { followUpMs: number; staleMs: number };
  /**
   * Sequence numbers below the position that the journal had not delivered yet (a MySQL transaction
   * still open when later ones committed): applied at load if they are in the journal by then.
   */
  pending: number[];
  book: BookState;
}

export interface Checkpoint extends CheckpointContent {
  format: number;
  position: number;
  writtenAt: number;
  nodeId: string | null;
}

export type LoadResult =
  | { found: false }
  | { found: true; usable: true; checkpoint: Checkpoint }
  | { found: true; usable: false; position: number; reason: string };

/** Cuts text into parts of at most `size` characters, never inside a UTF-16 surrogate pair (size 1 aside). */
export function cut(text: string, size = CHECKPOINT_PART_CHARS): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length || parts.length === 0; ) {
    let end = Math.min(text.length, i + size);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && end - 1 > i && code >= 0xd800 && code <= 0xdbff) end--;
    parts.push(text.slice(i, end));
    i = end;
  }
  return parts;
}

export class CheckpointStore {
  /** The position of a stored checkpoint that could not be read: the next save replaces it. */
  private unreadable: number | null = null;

  constructor(private readonly db: Database, private readonly name = NAME) {}

  /** Reads the stored checkpoint; never throws for its content (a reason says what is wrong with it). */
  async load(): Promise<LoadResult> {
    const rows = await this.db.read((em) => em.find(RoutingCheckpoint, { where: { name: this.name }, order: { part: 'ASC' } }));
    const head = rows.find((r) => r.part === 0);
    if (!head) return rows.length ? this.refuse(rows[0]!.position, 'its first part is missing') : { found: false };
    if (head.format !== CHECKPOINT_FORMAT) return this.refuse(head.position, `its format ${head.format} is not ${CHECKPOINT_FORMAT}`);
    const mine = rows.filter((r) => r.position === head.position && r.parts === head.parts);
    if (mine.length !== head.parts || mine.some((r, i) => r.part !== i)) return this.refuse(head.position, `it has ${mine.length} of its ${head.parts} parts`);
    let content: CheckpointContent;
    try {
      content = JSON.parse(mine.map((r) => r.data).join('')) as CheckpointContent;
    } catch (err) {
      return this.refuse(head.position, `its content is not JSON (${String(err)})`);
    }
    const problem = contentProblem(content);
    if (problem) return this.refuse(head.position, problem);
    this.unreadable = null;
    return { found: true, usable: true, checkpoint: { ...content, format: head.format, position: head.position, writtenAt: head.writtenAt, nodeId: head.nodeId } };
  }

  /**
   * Stores a checkpoint (`text`: its content as JSON, made at the moment the position was taken) if
   * it covers more of the journal than the stored one. True when it was written.
   */
  async save(position: number, text: string, nodeId: string, now: number): Promise<boolean> {
    const parts = cut(text);
    const header = { format: CHECKPOINT_FORMAT, position, parts: parts.length, writtenAt: now, nodeId };
    const replace = this.unreadable;
    const written = await this.db.transaction(async (em) => {
      const res = await em
        .createQueryBuilder()
        .update(RoutingCheckpoint)
        .set({ ...header, data: parts[0]! })
        .where(`name = :name AND part = 0 AND (position < :position OR format <> :format${replace !== null ? ' OR position = :replace' : ''})`, {
          name: this.name, position, format: CHECKPOINT_FORMAT, replace,
        })
        .execute();
      if (!res.affected) {
        if (await em.findOne(RoutingCheckpoint, { where: { name: this.name, part: 0 } })) return false;
        try {
          await em.insert(RoutingCheckpoint, { name: this.name, part: 0, ...header, data: parts[0]! });
        } catch (err) {
          if (isUniqueViolation(err)) return false; // another node wrote the first one meanwhile
          throw err;
        }
      }
      await em.createQueryBuilder().delete().from(RoutingCheckpoint).where('name = :name AND part > 0', { name: this.name }).execute();
      for (let i = 1; i < parts.length; i++) await em.insert(RoutingCheckpoint, { name: this.name, part: i, ...header, data: parts[i]! });
      return true;
    });
    if (written) this.unreadable = null;
    return written;
  }

  /** The stored checkpoint at `position` is not to be kept (not usable here): the next save replaces it. */
  replaceNext(position: number): void {
    this.unreadable = position;
  }

  /** The stored position (for tests and the bench), or null. */
  async position(): Promise<number | null> {
    const head = await this.db.read((em) => em.findOne(RoutingCheckpoint, { where: { name: this.name, part: 0 } }));
    return head?.position ?? null;
  }

  private refuse(position: number, reason: string): LoadResult {
    this.unreadable = position;
    return { found: true, usable: false, position, reason };
  }
}

/** What is wrong with a checkpoint's content at the top level (the book's own check comes at restore). */
function contentProblem(c: CheckpointContent): string | null {
  if (!c || typeof c !== 'object') return 'its content is not an object';
  if (!c.retention || !Number.isFinite(c.retention.followUpMs) || !Number.isFinite(c.retention.staleMs)) return 'it does not say how long it remembers appeals';
  if (!Array.isArray(c.pending) || !c.pending.every((s) => Number.isInteger(s) && s > 0)) return 'its pending sequence numbers are not a list of numbers';
  if (!c.book || typeof c.book !== 'object') return 'it has no book';
  return null;
}
