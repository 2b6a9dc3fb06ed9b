/**
 * The journal relay (one node at a time publishes new journal entries as Moleculer events named by
 * their type) and replay over the API for consumers that fell behind.
 */
import type { ServiceSchema } from 'moleculer';
import type { CoreContext } from '../kernel/context.js';
import { apiAction } from '../api/action.js';
import { readJournal, lastJournalSeq } from '../domain/journal.js';
import { JournalRelay } from '../domain/relay.js';

export function journalService(core: CoreContext, relayOpts: { pollMs?: number } = {}): { schema: ServiceSchema; relay: JournalRelay } {
  const relay = new JournalRelay(core.db, {
    nodeId: core.broker.nodeID,
    clock: core.clock,
    pollMs: relayOpts.pollMs,
    publish: (event) => core.broker.broadcast(event.type, event),
    onError: (err) => core.logger.warn({ err: String(err) }, 'journal relay pass failed; retrying'),
  });
  const schema: ServiceSchema = {
    name: 'journal',
    settings: { rest: '/journal' },
    actions: {
      read: apiAction<{ afterSeq?: number; limit?: number; types?: string }>({
        rest: 'GET /', auth: ['supervisor', 'admin'], summary: 'Journal entries after a sequence number, in order (replay)',
        params: { $$strict: true, afterSeq: 'number|integer|min:0|convert|optional', limit: 'number|integer|min:1|max:1000|convert|optional', types: 'string|optional|max:500' },
        handler: (ctx) => readJournal(core.db, ctx.params.afterSeq ?? 0, ctx.params.limit ?? 200, ctx.params.types?.split(',').map((t) => t.trim()).filter(Boolean)),
      }),
      head: apiAction({
        rest: 'GET /head', auth: 'user', summary: 'The newest sequence number', params: { $$strict: true },
        handler: async () => ({ seq: await lastJournalSeq(core.db) }),
      }),
      /** Internal: consumers on any node replay from here. */
      since: {
        visibility: 'public',
        params: { afterSeq: 'number|integer|min:0', limit: 'number|integer|min:1|max:5000|optional' },
        handler: (ctx: { params: { afterSeq: number; limit?: number } }) => readJournal(core.db, ctx.params.afterSeq, ctx.params.limit ?? 1000),
      },
    },
    started() {
      relay.start();
    },
    async stopped() {
      await relay.stop();
    },
  };
  return { schema, relay };
}
