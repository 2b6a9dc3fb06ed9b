/**
 * The appeal timeline's sources: interactions and notices. A notice that was sent is ALSO stored as
 * its outbound interaction (kind 'notice', `meta.noticeId`), so it must be drawn once: the
 * interaction (it has the text) carries the notice's kind and status; notices not sent yet (pending,
 * failed, nowhere to send) stand alone.
 */
import type { Interaction, NoticeRef } from '../api/types.ts';

export interface TimelineSources {
  interactions: { interaction: Interaction; notice: NoticeRef | null }[];
  /** Notices without an interaction of their own. */
  notices: NoticeRef[];
}

export function noticeIdOf(i: Interaction): number | null {
  const id = i.meta?.noticeId;
  return i.kind === 'notice' && (typeof id === 'number' || typeof id === 'string') && Number.isFinite(Number(id)) ? Number(id) : null;
}

export function timelineSources(interactions: readonly Interaction[], notices: readonly NoticeRef[]): TimelineSources {
  const byId = new Map(notices.map((n) => [n.id, n]));
  const drawn = new Set<number>();
  const list = interactions.map((interaction) => {
    const id = noticeIdOf(interaction);
    const notice = id !== null ? byId.get(id) ?? null : null;
    if (id !== null) drawn.add(id);
    return { interaction, notice };
  });
  return { interactions: list, notices: notices.filter((n) => !drawn.has(n.id)) };
}
