/** A fax cut short by the edge agent's receive limits reaches the operator with the reason, in the appeal's text. */
import t from 'tap';
import type { JournalEvent } from '@okno/core';
import { faxUploadOf } from './fax-upload.js';
import { faxBody } from './fax-text.js';

const row = (meta: Record<string, unknown>): JournalEvent => ({
  seq: 7, at: '2026-03-02T09:00:00.000Z', type: 'edge.file_received', aggregateType: 'edge-agent', aggregateId: '3', siteId: 2, actorId: null,
  data: { agent: 'a1', site: 'cao', transferId: '01a2260a-881c-7223-9ab7-d9d9f4718e71', attachmentId: 12, contentType: 'image/tiff', meta },
});
const text = (incomplete: string | null) =>
  faxBody({ remoteId: '+7 495 000', pages: 2, receivedAt: new Date('2026-03-02T09:00:00Z'), timeZone: 'Europe/Moscow', siteName: 'ЦАО', agent: 'a1', modemId: 'ttyS0', fileProblem: null, pageProblems: [], unknownSite: null, incomplete });

t.test('the reason comes with the upload and is said in the appeal', async (t) => {
  t.equal(faxUploadOf(row({ modemId: 'ttyS0', pages: 2, incomplete: 'page longer than 4194304 bytes' }))?.incomplete, 'page longer than 4194304 bytes');
  t.equal(faxUploadOf(row({ modemId: 'ttyS0', pages: 2 }))?.incomplete, null, 'a whole fax');
  t.equal(faxUploadOf(row({ modemId: 'ttyS0', pages: 2, incomplete: 'x'.repeat(1000) }))?.incomplete?.length, 300, 'bounded');
  t.match(text('page longer than 4194304 bytes'), /Факс принят не полностью: приём прерван \(page longer than 4194304 bytes\)\. Приложены страницы, принятые до этого/);
  t.notMatch(text(null), /не полностью/);
});
