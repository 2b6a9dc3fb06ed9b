/**
 * One error format for every API answer: `{ "error": { "code", "message", "fields"? } }` with the
 * right HTTP status. Validation errors name each field; unexpected errors are logged with a request
 * id and answered with a 500 that reveals nothing internal.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'moleculer';
import { isDatabaseUnavailable } from '../persistence/database.js';

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: { field: string; message: string; type?: string }[]; requestId?: string; data?: unknown };
}

interface ErrLike {
  name?: string;
  message?: string;
  code?: unknown;
  type?: string;
  data?: any;
}

/** fastest-validator's messages say "The 'body.x' field ..."; keep them, but name the field first. */
function validationFields(data: unknown): { field: string; message: string; type?: string }[] {
  if (Array.isArray(data)) return data.map((d: any) => ({ field: String(d.field ?? d.path ?? ''), message: String(d.message ?? ''), type: d.type }));
  if (data && typeof data === 'object' && Array.isArray((data as any).fields)) return (data as any).fields;
  return [];
}

export function toApiError(err: unknown, logger?: Logger): { status: number; body: ApiErrorBody } {
  const e = (err ?? {}) as ErrLike;
  if (isDatabaseUnavailable(err)) {
    return { status: 503, body: { error: { code: 'UNAVAILABLE', message: 'the database is not reachable right now; try again shortly' } } };
  }
  if (e.name === 'ValidationError' || e.type === 'VALIDATION_ERROR') {
    const fields = validationFields(e.data);
    const message = fields.length ? `invalid input: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}` : e.message ?? 'invalid input';
    return { status: 422, body: { error: { code: 'VALIDATION_ERROR', message, fields } } };
  }
  const status = typeof e.code === 'number' && e.code >= 400 && e.code < 600 ? e.code : 500;
  if (status === 500) {
    const requestId = randomUUID();
    logger?.error({ requestId, err: { name: e.name, message: e.message, stack: (err as Error)?.stack } }, 'unhandled error in API call');
    return { status, body: { error: { code: 'INTERNAL', message: 'something went wrong on our side; the error is logged', requestId } } };
  }
  const code = e.type && /^[A-Z0-9_]+$/.test(e.type) ? e.type : e.name === 'ServiceNotFoundError' ? 'NOT_FOUND' : `HTTP_${status}`;
  const body: ApiErrorBody = { error: { code, message: e.message ?? 'error' } };
  if (e.data && status !== 401 && status !== 403 && code !== 'NOT_FOUND') body.error.data = e.data;
  return { status, body };
}

export function sendApiError(req: IncomingMessage, res: ServerResponse, err: unknown, logger?: Logger): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const { status, body } = toApiError(err, logger);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
  void req;
}
