/**
 * Errors the domain raises. They are Moleculer client errors, so they cross the transporter intact,
 * and the API gateway turns `code` into the HTTP status and `type` into a stable error code.
 */
import { Errors } from 'moleculer';

export interface FieldProblem {
  field: string;
  message: string;
  type?: string;
}

export class DomainError extends Errors.MoleculerClientError {
  constructor(message: string, status: number, type: string, data?: unknown) {
    super(message, status, type, data);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: unknown) => new DomainError(`${what} ${String(id)} not found`, 404, 'NOT_FOUND', { what, id });
export const conflict = (message: string, data?: unknown) => new DomainError(message, 409, 'CONFLICT', data);
export const forbidden = (message: string) => new DomainError(message, 403, 'FORBIDDEN');
export const unauthorized = (message = 'authentication required') => new DomainError(message, 401, 'UNAUTHORIZED');
export const tooLarge = (message: string, data?: unknown) => new DomainError(message, 413, 'PAYLOAD_TOO_LARGE', data);
export const unavailable = (message: string) => new DomainError(message, 503, 'UNAVAILABLE');

/** 422 naming every field that is wrong: `invalid(['field', 'what is wrong'], ...)`. */
export function invalid(...problems: [field: string, message: string][]): DomainError {
  const fields: FieldProblem[] = problems.map(([field, message]) => ({ field, message }));
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new DomainError(`invalid input: ${summary}`, 422, 'VALIDATION_ERROR', { fields });
}
