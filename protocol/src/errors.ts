/** A message that is not valid JSON or does not match its schema. */
import type { z } from 'zod';

export class ProtocolMessageError extends Error {
  constructor(
    readonly kind: string,
    message: string,
    readonly issues?: z.core.$ZodIssue[],
  ) {
    super(message);
    this.name = 'ProtocolMessageError';
  }
}
