/** Upload and download of attachments (stored by content hash). */
import type { ServiceSchema } from 'moleculer';
import type { Readable } from 'node:stream';
import type { CoreContext } from '../kernel/context.js';
import { apiAction, actorOf, ROLES_DESK, type ApiContext } from '../api/action.js';
import { recordAudit } from '../domain/audit.js';
import { InteractionAttachment, Interaction, Appeal } from '../persistence/entities/index.js';
import { invalid } from '../domain/errors.js';
import { id } from './params.js';

export function attachmentsService(core: CoreContext): ServiceSchema {
  return {
    name: 'attachments',
    settings: { rest: '/attachments' },
    actions: {
      upload: apiAction<{ $filename?: string; $mimetype?: string }>({
        rest: 'POST /', auth: ROLES_DESK, upload: true, summary: 'Upload one file (multipart/form-data, field "file"); returns its id for a reply',
        handler: async (ctx) => {
          if (!ctx.stream) throw invalid(['file', 'send the file as multipart/form-data']);
          const a = await core.attachments.put(ctx.stream as Readable, { filename: ctx.params.$filename, mime: ctx.params.$mimetype });
          return { id: a.id, filename: a.filename, mime: a.mime, size: a.size, sha256: a.sha256 };
        },
      }),
      /** Internal: a channel stores a file it received (before intake). */
      store: {
        visibility: 'public',
        params: { contentBase64: 'string', filename: 'string|optional|max:255', mime: 'string|optional|max:120', maxBytes: 'number|optional|integer|positive' },
        handler: async (ctx: ApiContext<{ contentBase64: string; filename?: string; mime?: string; maxBytes?: number }>) => {
          const a = await core.attachments.put(Buffer.from(ctx.params.contentBase64, 'base64'), { filename: ctx.params.filename, mime: ctx.params.mime }, ctx.params.maxBytes);
          return { id: a.id, filename: a.filename, mime: a.mime, size: a.size, sha256: a.sha256 };
        },
      },
      download: apiAction<{ id: number }>({
        rest: 'GET /:id', auth: ROLES_DESK, summary: 'Download an attachment (audited when it belongs to an applicant\'s appeal)', params: { $$strict: true, id },
        handler: async (ctx) => {
          const actor = actorOf(ctx);
          const { meta, stream } = await core.attachments.open(ctx.params.id);
          await core.db.transaction(async (em) => {
            const link = await em.findOne(InteractionAttachment, { where: { attachmentId: meta.id } });
            const inter = link ? await em.findOne(Interaction, { where: { id: link.interactionId } }) : null;
            const appeal = inter ? await em.findOne(Appeal, { where: { id: inter.appealId } }) : null;
            await recordAudit(em, actor, { action: 'read', entityType: 'attachment', entityId: meta.id, applicantId: appeal?.applicantId ?? null, detail: { appealId: appeal?.id ?? null } });
          });
          const inline = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain)$/.test(meta.mime);
          ctx.meta.$responseType = meta.mime;
          ctx.meta.$responseHeaders = {
            'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(meta.filename)}`,
            'Content-Length': String(meta.size),
            'X-Content-Type-Options': 'nosniff',
            'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
            'Cache-Control': 'private, max-age=3600',
          };
          return stream;
        },
      }),
    },
  };
}
